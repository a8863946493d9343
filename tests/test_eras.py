"""Contract eras: findings about fields OpenAI added after a recording's date are contract drift, and only those."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from _realworld import EDITED_BY_AUTHORS, require_realworld
from jsonschema import Draft202012Validator
from planted.traffic import build, load_base

from respcompat import eras
from respcompat.checks import load_all
from respcompat.engine import judge_exchanges
from respcompat.exchange import Exchange, Response
from respcompat.findings import CONTRACT_DRIFT, UNDOCUMENTED, Finding
from respcompat.importers import load_file

ROOT = Path(__file__).resolve().parents[1]
MARCH_2025 = "Fri, 21 Mar 2025 10:00:00 GMT"


def _strip(value, names):
    """A copy of a document without these keys anywhere: traffic as OpenAI sent it before they existed."""
    if isinstance(value, dict):
        return {k: _strip(v, names) for k, v in value.items() if k not in names}
    if isinstance(value, list):
        return [_strip(v, names) for v in value]
    return value


def _old_traffic(base: str, date_header: str | None, names=("sequence_number", "logprobs", "obfuscation")):
    raw = _strip(copy.deepcopy(load_base(base)), set(names))
    for x in raw["exchanges"]:
        if date_header is not None:
            x["response"].setdefault("headers", {})["date"] = date_header
    return build(raw, f"{base}.json")


def _by_class(findings):
    out: dict[str, set] = {}
    for f in findings:
        out.setdefault(f.classification, set()).add((f.check, f.pointer))
    return out


# -- the data file ----------------------------------------------------------------------------------------


def _eras_doc():
    doc = yaml.safe_load((ROOT / "schemas" / "openai" / "eras.yaml").read_text())
    return json.loads(json.dumps(doc, default=str))  # YAML dates -> ISO strings, as the meta schema reads them


def test_eras_file_satisfies_its_meta_schema():
    meta = json.loads((ROOT / "schemas" / "_meta" / "eras.schema.json").read_text())
    Draft202012Validator.check_schema(meta)
    Draft202012Validator(meta).validate(_eras_doc())


def test_every_field_date_lies_between_its_evidence_and_names_known_checks():
    doc = _eras_doc()
    known = set(load_all())
    assert len({f["id"] for f in doc["fields"]}) == len(doc["fields"])
    for f in doc["fields"]:
        assert f["last_without"]["date"] < f["added"] == f["first_with"]["date"], f["id"]
        assert doc["launched"] <= f["last_without"]["date"], f["id"]
        for rule in f["findings"]:
            assert rule["check"] in known, (f["id"], rule["check"])
            assert rule["pointer"].rsplit("/", 1)[-1] == f["field"], (f["id"], rule["pointer"])


def test_every_errata_entry_carries_the_date_the_wire_showed_it():
    errata = yaml.safe_load((ROOT / "schemas" / "openai" / "errata.yaml").read_text())
    for e in errata:
        seen = e.get("wire_since")
        assert isinstance(seen, dict) and isinstance(seen.get("date"), dt.date) and seen.get("file"), e["id"]


# -- dating a recording ---------------------------------------------------------------------------------


def _exchange(headers=None, body=None, meta=None) -> Exchange:
    return Exchange(None, Response(status=200, headers=headers or {}, body=body), meta=meta or {})


def test_date_comes_from_the_http_date_header_first():
    ex = _exchange({"date": MARCH_2025}, {"object": "response", "created_at": 1767225600})
    assert eras.date_of(ex) == dt.date(2025, 3, 21)
    assert eras.dating(ex)[1] == "http-date"


def test_a_sanitized_date_header_falls_through_to_provenance_then_recorded_at():
    prov = {"respcompat": {"provenance": {"kind": "live", "date": dt.date(2025, 5, 2)}}}
    assert eras.dating(_exchange({"date": "Sanitized"}, meta=prov)) == (dt.date(2025, 5, 2), "provenance")
    har = {"recorded_at": "2025-04-30T08:00:00.000Z"}
    assert eras.dating(_exchange({"date": "Sanitized"}, meta=har)) == (dt.date(2025, 4, 30), "recorded-at")


def test_created_at_dates_a_body_only_recording_but_never_a_documentation_example():
    body = {"object": "response", "created_at": 1743069600}  # 2025-03-27
    assert eras.dating(_exchange(body=body)) == (dt.date(2025, 3, 27), "created_at")
    doc = {"respcompat": {"provenance": {"kind": "documentation", "date": dt.date(2025, 3, 1)}}}
    assert eras.date_of(_exchange(body=body, meta=doc)) is None
    assert eras.date_of(_exchange(body=body, meta={"documentation": "spec example"})) is None


def test_a_created_at_before_the_api_existed_is_not_a_date():
    assert eras.date_of(_exchange(body={"object": "response", "created_at": 1700000000})) is None  # 2023-11-14
    assert eras.date_of(_exchange(body={"error": {"message": "x"}})) is None


# -- reclassifying ------------------------------------------------------------------------------------------


def test_a_march_2025_stream_without_sequence_number_and_logprobs_is_contract_drift():
    findings = judge_exchanges(_old_traffic("text_stream", MARCH_2025), "openai").findings
    got = _by_class(findings)
    assert UNDOCUMENTED not in got
    assert {
        ("schema.event", "/sequence_number"),
        ("stream.sequence_number", "/sequence_number"),
        ("schema.event", "/logprobs"),
        ("schema.event", "/part/logprobs"),
    } <= got[CONTRACT_DRIFT]
    f = next(f for f in findings if f.check == "schema.event" and f.pointer == "/sequence_number")
    assert f.details["era"] == {
        "field": "stream-sequence-number",
        "added": "2025-09-11",
        "recorded": "2025-03-21",
        "dated_by": "http-date",
        "era": eras.era_of(dt.date(2025, 3, 21)),
    }
    assert f.message.endswith("; OpenAI added sequence_number on 2025-09-11; this recording is from 2025-03-21")


def test_the_same_stream_recorded_after_the_fields_existed_is_a_divergence():
    findings = judge_exchanges(_old_traffic("text_stream", "Mon, 06 Oct 2025 10:00:00 GMT"), "openai").findings
    assert CONTRACT_DRIFT not in _by_class(findings)
    assert ("schema.event", "/sequence_number") in _by_class(findings)[UNDOCUMENTED]


def test_an_undated_old_stream_stays_a_divergence():
    # Without a date nothing says the recording is old: the era is only shown (matching_era), never assumed.
    raw = _strip(load_base("text_stream"), {"sequence_number", "logprobs", "created_at"})
    findings = judge_exchanges(build(raw, "text_stream.json"), "openai").findings
    assert CONTRACT_DRIFT not in _by_class(findings)


def test_a_body_from_june_2025_without_logprobs_is_drift_but_a_missing_old_field_is_not():
    raw = _strip(load_base("text_body"), {"logprobs", "tools"})  # `tools` was on the wire from day one
    for x in raw["exchanges"]:
        x["response"]["headers"] = {"date": "Tue, 10 Jun 2025 12:00:00 GMT"}
    got = _by_class(judge_exchanges(build(raw, "text_body.json"), "openai").findings)
    assert ("schema.response", "/output/0/content/0/logprobs") in got[CONTRACT_DRIFT]
    assert ("schema.response", "/tools") in got[UNDOCUMENTED]


def _finding(pointer, keyword="required", expected="logprobs", event=None, check="schema.response"):
    return Finding(
        check=check,
        pointer=pointer,
        message=f"missing required property {expected!r}",
        expected=expected,
        event=event,
        classification=UNDOCUMENTED,
        contract="openai",
        details={"keyword": keyword},
    )


def test_only_the_exact_kind_of_error_on_the_exact_host_is_downgraded():
    body = {
        "object": "response",
        "created_at": 1743069600,
        "output": [
            {
                "type": "message",
                "content": [{"type": "output_text", "text": "hi"}, {"type": "refusal", "refusal": "no"}],
            }
        ],
    }
    ex = _exchange({"date": MARCH_2025}, body)
    on_text = _finding("/output/0/content/0/logprobs")
    on_refusal = _finding("/output/0/content/1/logprobs")  # logprobs never belonged on a refusal
    wrong_type = _finding("/output/0/content/0/logprobs", keyword="type")  # present but malformed: not an era
    other_field = _finding("/output/0/content/0/annotations", expected="annotations")
    eras.reclassify([on_text, on_refusal, wrong_type, other_field], ex, "openai")
    assert [f.classification for f in (on_text, on_refusal, wrong_type, other_field)] == [
        CONTRACT_DRIFT,
        UNDOCUMENTED,
        UNDOCUMENTED,
        UNDOCUMENTED,
    ]


def test_event_rules_hold_only_for_their_event_types():
    raw = load_base("text_stream")
    xs = build(raw, "text_stream.json")
    xs[0].response.headers["date"] = MARCH_2025
    types = {e.type: e.index for e in xs[0].response.events}
    on_delta = _finding("/logprobs", event=types["response.output_text.delta"], check="schema.event")
    on_created = _finding("/logprobs", event=types["response.created"], check="schema.event")
    eras.reclassify([on_delta, on_created], xs[0], "openai")
    assert (on_delta.classification, on_created.classification) == (CONTRACT_DRIFT, UNDOCUMENTED)


def test_providers_whose_contract_derives_from_openai_get_eras_too():
    assert eras.derives_from_openai("openai") and eras.derives_from_openai("dashscope")
    assert eras.derives_from_openai("las")  # openai -> ark -> las
    assert not eras.derives_from_openai("no-such-provider")
    ex = _exchange(
        {"date": MARCH_2025},
        {"object": "response", "output": [{"type": "message", "content": [{"type": "output_text", "text": "hi"}]}]},
    )
    f = _finding("/output/0/content/0/logprobs")
    f.contract = "dashscope"
    eras.reclassify([f], ex, "dashscope")
    assert f.classification == CONTRACT_DRIFT
    g = _finding("/output/0/content/0/logprobs")
    eras.reclassify([g], ex, "no-such-provider")
    assert g.classification == UNDOCUMENTED


def test_documented_deviations_keep_their_classification():
    ex = _exchange(
        {"date": MARCH_2025},
        {"object": "response", "output": [{"type": "message", "content": [{"type": "output_text", "text": "hi"}]}]},
    )
    f = _finding("/output/0/content/0/logprobs")
    f.classification = "documented-deviation"
    eras.reclassify([f], ex, "dashscope")
    assert f.classification == "documented-deviation" and "era" not in f.details


# -- naming eras ------------------------------------------------------------------------------------------


def test_era_labels_name_the_fields_that_came_next():
    labels = eras.eras()
    assert labels[0].startswith("2025-03-11 (before ")
    assert eras.era_of(dt.date(2025, 7, 1)) == "2025-06-10 (before sequence_number, logprobs)"
    assert eras.era_of(dt.date(2026, 9, 1)) == labels[-1]


def test_matching_era_reads_the_field_set_of_undated_traffic():
    march = _old_traffic(
        "text_stream",
        None,
        names=(
            "sequence_number",
            "logprobs",
            "obfuscation",
            "service_tier",
            "background",
            "summary",
            "verbosity",
            "max_tool_calls",
            "prompt_cache_key",
            "safety_identifier",
            "top_logprobs",
            "prompt_cache_retention",
            "completed_at",
        ),
    )
    assert eras.matching_era(march) == eras.eras()[0]
    modern = build(load_base("text_stream"), "text_stream.json")
    # has completed_at and prompt_cache_retention, lacks the 2026 fields
    assert eras.matching_era(modern) == eras.era_of(dt.date(2025, 12, 22))
    assert eras.matching_era([_exchange(body={"error": {"message": "x"}})]) is None


# -- the corpus -----------------------------------------------------------------------------------------


def _present(field, xs) -> bool | None:
    fl = next(f for f in eras.load_eras().fields if f.id == field)
    hosts = list(eras._hosts(fl, xs))
    return any(fl.name in h for h in hosts) if hosts else None


@pytest.mark.parametrize("entry", _eras_doc()["fields"], ids=lambda e: e["id"])
def test_evidence_files_show_what_eras_yaml_says(entry):
    root = require_realworld()
    for side, present in (("first_with", True), ("last_without", False)):
        name = entry[side]["file"]
        assert Path(name).name not in EDITED_BY_AUTHORS
        xs = load_file(root / name).exchanges
        assert min(d for d in map(eras.date_of, xs) if d).isoformat() == entry[side]["date"], (side, name)
        assert _present(entry["id"], xs) is present, (side, name)


def test_an_unknown_property_rule_matches_the_additional_properties_error_that_names_the_field():
    # No field needs it today (OpenAI's objects are open), but a provider overlay that closes an object would.
    rule = {
        "check": "schema.response",
        "pointer": "/output/*/content/*/logprobs",
        "kind": "unknown",
        "parent_type": "output_text",
    }
    body = {"output": [{"content": [{"type": "output_text", "text": "hi", "logprobs": []}]}]}
    ex = _exchange({"date": MARCH_2025}, body)
    names_it = Finding(
        check="schema.response",
        pointer="/output/0/content/0",
        message="unexpected property",
        actual=["logprobs"],
        classification=UNDOCUMENTED,
        details={"keyword": "additionalProperties"},
    )
    names_other = copy.deepcopy(names_it)
    names_other.actual = ["annotations"]
    assert eras._explains(rule, "logprobs", names_it, ex)
    assert not eras._explains(rule, "logprobs", names_other, ex)
    assert not eras._explains({**rule, "kind": "missing"}, "logprobs", names_it, ex)


def test_an_implausible_created_at_dates_nothing_and_breaks_nothing():
    for stamp in (1767225600000, 10**30, float("nan"), True, "1743069600"):  # millis, overflow, junk
        assert eras.date_of(_exchange(body={"object": "response", "created_at": stamp})) is None
