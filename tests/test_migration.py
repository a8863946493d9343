"""Migration advice: what a provider would do with each parameter of an OpenAI create request, from its data alone."""

import dataclasses
import json

import pytest
import yaml

from respcompat.cli import main
from respcompat.contracts import load_contract
from respcompat.importers import load_path
from respcompat.migration import ParameterVerdict, analyse_request, summarise
from respcompat.providers import ProfileError, load_profile, validate_profile_data
from tests._realworld import require_realworld

STRUCTURED = {"format": {"type": "json_schema", "name": "answer", "schema": {"type": "object"}, "strict": True}}
TOOL = {
    "type": "function",
    "name": "lookup",
    "description": "look it up",
    "parameters": {"type": "object"},
    "strict": True,
}


def _body(**extra):
    return {"model": "gpt-4.1", "input": "hi", **extra}


def _verdicts(provider, body, profile=None):
    profile = profile or load_profile(provider)
    return analyse_request(body, profile, load_contract(profile.contract))


def _by(verdicts):
    """parameter -> set of verdicts it got."""
    out = {}
    for v in verdicts:
        out.setdefault(v.parameter, set()).add(v.verdict)
    return out


MIXED = _body(
    text=STRUCTURED,
    include=["reasoning.encrypted_content"],
    metadata={"app": "x"},
    temperature=2,
    tool_choice={"type": "function", "name": "lookup"},
    tools=[TOOL],
)


def test_dashscope_ignores_unlisted_parameters_and_refuses_temperature_2_and_the_forced_function_form():
    verdicts = _verdicts("dashscope", MIXED)
    by = _by(verdicts)
    assert by["text"] == by["include"] == by["metadata"] == {"unlisted-ignored"}
    assert by["temperature"] == {"out-of-contract"}
    temp = next(v for v in verdicts if v.parameter == "temperature")
    # DashScope documents [0, 2): the bound, the rule and the page it comes from
    assert (temp.rule, temp.expected, temp.value, temp.openai) == ("exclusiveMaximum", 2, "2", True)
    assert temp.source.startswith("DS-REF-latest (https://")
    forced = [v for v in verdicts if v.parameter.startswith("tool_choice")]
    assert [v.verdict for v in forced] == ["out-of-contract"] and "allowed_tools" in json.dumps(forced[0].expected)
    unlisted = next(v for v in verdicts if v.parameter == "metadata")
    assert unlisted.source.startswith("DS-REF-latest (https://") and unlisted.openai
    assert by["model"] == {"documented"} and by["tools"] == {"documented"}


def test_ark_is_uncertain_about_metadata_and_refuses_effort_xhigh():
    verdicts = _verdicts("ark", _body(metadata={"app": "x"}, reasoning={"effort": "xhigh"}, temperature=2))
    by = _by(verdicts)
    assert by["metadata"] == {"unlisted-uncertain"}
    assert by["reasoning.effort"] == {"out-of-contract"} and "reasoning" not in by
    effort = next(v for v in verdicts if v.parameter == "reasoning.effort")
    assert effort.expected == ["minimal", "low", "medium", "high"] and effort.value == '"xhigh"'
    assert by["temperature"] == {"documented"}  # Ark documents [0, 2]


def test_openai_judged_by_its_own_contract_documents_everything_an_openai_app_sends():
    body = dict(MIXED, tools=[TOOL], reasoning={"effort": "xhigh"}, store=False, temperature=2)
    verdicts = _verdicts("openai", body)
    assert {v.verdict for v in verdicts} == {"documented"}
    assert {v.parameter for v in verdicts} == set(body)


def test_a_parameter_openai_does_not_know_either_is_marked_so():
    verdicts = _verdicts("openai", _body(temprature=0.5))
    typo = next(v for v in verdicts if v.parameter == "temprature")
    # the openai profile says nothing about unlisted parameters: uncertain, never "ignored"
    assert typo.verdict == "unlisted-uncertain" and typo.openai is False and typo.source is None


def test_the_profile_drives_the_verdicts_not_the_code():
    real = load_profile("dashscope")
    flipped = dataclasses.replace(real, unlisted_parameters={"handling": "rejected", "source": "DS-REF-v1"})
    by = _by(_verdicts("dashscope", MIXED, flipped))
    assert by["metadata"] == by["text"] == {"unlisted-rejected"}
    unsourced = dataclasses.replace(real, unlisted_parameters=None, parameter_notes=[])
    verdicts = _verdicts("dashscope", _body(metadata={}, background=True), unsourced)
    assert _by(verdicts)["metadata"] == {"unlisted-uncertain"}
    assert "noted" not in {v.verdict for v in verdicts}  # the shipped background note is gone with the data


def test_a_note_applies_only_to_the_values_and_companions_it_names():
    note = {"parameter": "tool_choice", "values": ["required"], "effect": "conditional", "note": "one tool only"}
    companion = {"parameter": "tools", "together_with": ["previous_response_id"], "effect": "other", "note": "first"}
    profile = dataclasses.replace(load_profile("ark"), parameter_notes=[dict(note, source="ARK-SDK"), companion])

    def noted(body):
        return {v.parameter for v in _verdicts("ark", body, profile) if v.verdict == "noted"}

    assert noted(_body(tool_choice="required", tools=[TOOL])) == {"tool_choice"}
    assert noted(_body(tool_choice="auto", tools=[TOOL])) == set()
    assert noted(_body(tools=[TOOL], previous_response_id="resp_1")) == {"tools"}
    cited = next(v for v in _verdicts("ark", _body(tool_choice="required"), profile) if v.verdict == "noted")
    assert (cited.rule, cited.note) == ("conditional", "one tool only") and cited.source.startswith("ARK-SDK (https://")


def test_a_note_on_a_list_value_applies_when_the_list_holds_it():
    verdicts = _verdicts("ark", _body(include=["message.input_image.image_url", "reasoning.encrypted_content"]))
    assert _by(verdicts)["include"] == {"noted"}
    assert _by(_verdicts("ark", _body(include=["message.input_image.image_url"])))["include"] == {"documented"}


def test_a_tool_that_misses_one_rule_names_that_rule_not_twenty_shapes():
    tool = dict(TOOL, description=None)
    verdicts = _verdicts("dashscope", _body(tools=[TOOL, tool]))
    bad = [v for v in verdicts if v.verdict == "out-of-contract"]
    assert [(v.parameter, v.rule, v.expected, v.value) for v in bad] == [
        ("tools[].description", "type", "string", "null")
    ]


def test_summary_counts_requests_and_groups_values_breaking_the_same_rule():
    # 2 and 2.0 break DashScope's [0, 2) alone (3.5 would break OpenAI's too: another row)
    requests = [_verdicts("dashscope", _body(temperature=t, metadata={})) for t in (2, 2.0, 0.7)]
    s = summarise(requests)
    assert s["requests"] == 3
    rows = {(r["parameter"], r["verdict"]): r for r in s["parameters"]}
    assert rows[("temperature", "out-of-contract")]["requests"] == 2
    assert rows[("temperature", "out-of-contract")]["example"] == "2"
    assert rows[("temperature", "documented")]["requests"] == 1
    assert rows[("metadata", "unlisted-ignored")]["requests"] == 3
    assert s["parameters"][0]["verdict"] == "out-of-contract"  # worst first
    assert s["parameters"][-1]["verdict"] == "documented"


def test_two_tools_failing_one_rule_count_as_one_request():
    bad = dict(TOOL, description=None)
    s = summarise([_verdicts("dashscope", _body(tools=[bad, dict(bad, name="other")]))])
    row = next(r for r in s["parameters"] if r["verdict"] == "out-of-contract")
    assert row["requests"] == 1


def test_verdicts_serialise_to_plain_json():
    v = _verdicts("dashscope", MIXED)[0]
    assert isinstance(v, ParameterVerdict) and json.loads(json.dumps(v.to_json()))["parameter"] == v.parameter


@pytest.mark.parametrize(
    "note, problem",
    [
        ({"parameter": "x", "effect": "other", "note": "n", "source": "NOPE"}, "NOPE"),
        ({"parameter": "x", "effect": "maybe", "note": "n", "source": "DS-REF-latest"}, "maybe"),
        ({"parameter": "x y", "effect": "other", "note": "n", "source": "DS-REF-latest"}, "x y"),
    ],
)
def test_a_parameter_note_needs_a_known_doc_key_a_known_effect_and_a_path(note, problem):
    data = yaml.safe_load(load_profile("dashscope").path.read_text(encoding="utf-8"))
    data["parameter_notes"] = [note]
    with pytest.raises(ProfileError, match=problem):
        validate_profile_data(data, "planted")


def _creates(root):
    for r in load_path(root / "openai"):
        for x in r.exchanges:
            if x.endpoint == "create" and x.request is not None and isinstance(x.request.body, dict):
                yield x.request.body


def test_real_openai_requests_judged_for_dashscope():
    bodies = list(_creates(require_realworld()))
    assert len(bodies) >= 50
    ds, oa = load_contract("dashscope"), load_contract("openai")
    profile = load_profile("dashscope")
    verdicts = [analyse_request(b, profile, ds, oa) for b in bodies]
    for body, vs in zip(bodies, verdicts):
        # every parameter sent gets at least one verdict, and nothing else does
        assert {v.parameter.split(".")[0].split("[")[0] for v in vs} == set(body)
        for v in vs:
            if v.parameter in ("include", "text", "background", "prompt_cache_key"):
                assert v.verdict in ("unlisted-ignored", "noted")
    s = summarise(verdicts)
    rows = {(r["parameter"], r["verdict"]): r["requests"] for r in s["parameters"]}
    assert rows[("include", "unlisted-ignored")] == sum("include" in b for b in bodies)
    # pydantic-ai sends description: null, which DashScope's required-string description refuses
    assert rows.get(("tools[].description", "out-of-contract"), 0) >= 1


def test_real_openai_requests_are_documented_on_openai_except_where_openai_refuses_them():
    bodies = list(_creates(require_realworld()))
    profile, oa = load_profile("openai"), load_contract("openai")
    for body in bodies:
        for v in analyse_request(body, profile, oa, oa):
            assert v.verdict in ("documented", "out-of-contract", "unlisted-uncertain"), v
            if v.verdict != "documented":
                assert v.openai is False, v  # only what OpenAI's own contract refuses or does not know


def _cassette(tmp_path, body, status, answer):
    doc = {
        "version": 1,
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": "https://api.openai.com/v1/responses",
                    "body": json.dumps(body),
                    "headers": {"Content-Type": ["application/json"]},
                },
                "response": {
                    "status": {"code": status, "message": "x"},
                    "headers": {"Content-Type": ["application/json"]},
                    "body": {"string": json.dumps(answer)},
                },
            }
        ],
    }
    path = tmp_path / "traffic.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_check_json_carries_the_request_analysis_and_the_exit_code_ignores_it(tmp_path, capsys):
    # A request DashScope refused: nothing diverged (refusing is allowed), yet the advice names why it would.
    body = _body(temperature=2, metadata={"k": "v"})
    answer = {"request_id": "r1", "code": "InvalidParameter", "message": "temperature out of range"}
    path = _cassette(tmp_path, body, 400, answer)
    code = main(["check", "--provider", "dashscope", "--format", "json", str(path)])
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["by_classification"]["undocumented-divergence"] == 0
    assert code == 0  # an out-of-contract parameter in the advice is no finding
    ra = doc["files"][0]["request_analysis"]
    assert ra["requests"] == 1 and doc["summary"]["request_analysis"] == ra
    rows = {r["parameter"]: r for r in ra["parameters"]}
    assert rows["temperature"]["verdict"] == "out-of-contract" and rows["temperature"]["rule"] == "exclusiveMaximum"
    assert rows["metadata"]["verdict"] == "unlisted-ignored" and rows["metadata"]["requests"] == 1


def test_check_text_shows_the_requests_section(tmp_path, capsys):
    path = _cassette(tmp_path, _body(include=["reasoning.encrypted_content"]), 400, {"code": "x", "message": "y"})
    main(["check", "--provider", "dashscope", str(path)])
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("unlisted-ignored"))
    assert "include" in line and "1/1" in line and "DS-REF-latest (https://" in line
    assert "requests against dashscope's contract: 1 create request(s)" in out


def test_a_required_parameter_the_request_lacks_is_out_of_contract_too():
    verdicts = _verdicts("dashscope", {"input": "hi"})
    missing = [v for v in verdicts if v.parameter == "model"]
    # DashScope requires model; OpenAI's spec does not (a stored prompt may name it)
    assert [(v.verdict, v.rule, v.value, v.openai) for v in missing] == [
        ("out-of-contract", "required", "<missing>", True)
    ]
