"""Generated requests, end to end through the plugin against the fake server: a conforming server gets no finding,
and each planted fault (a 5xx on a valid value, an invalid value accepted, a valid value rejected, a parameter
ignored, retrieve after delete, store=false retrievable, an unlisted parameter handled against the profile, a JSON
format answered in plain text, a crash met by the Hypothesis combinations) is caught by the check that names it,
shrunk where Hypothesis drew it; a recorded run replays offline with the same verdicts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakes.server import DEFAULT_KEY, FakeResponsesServer

from respcompat.contracts import load_contract
from respcompat.generate import NEGATIVE, POSITIVE, base_request, plan
from respcompat.providers import load_profile

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fake() -> Any:
    server = FakeResponsesServer()
    server.start()
    yield server
    server.stop()


def run(
    base_url: str | None,
    tmp: Path,
    *args: str,
    provider: str = "openai",
    live: bool = True,
    env: dict[str, str] | None = None,
) -> tuple[dict[str, Any], str]:
    """Live (record) against `base_url`, or with live=False the offline replay of what was recorded from it.
    The fake's key goes in the provider's key variable; `tests/` is importable, for `-p fakes.profile_override`."""
    key_env = load_profile(provider).api_key_env or "OPENAI_API_KEY"
    path = os.pathsep.join(p for p in (str(ROOT / "tests"), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, key_env: DEFAULT_KEY, "PYTHONPATH": path, **(env or {})}
    target = ["--base-url", base_url] if base_url else []
    live_args = [*target, "--record-mode=all", "--generate"] if live else target
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "suites" / "test_generated.py"),
        f"--provider={provider}",
        *live_args,
        f"--cassette-dir={tmp / 'cassettes'}",
        f"--report-dir={tmp / 'reports'}",
        "-q",
        "-p",
        "no:cacheprovider",
        "--gen-seed=7",
        "--gen-examples=5",
        *args,
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return json.loads((tmp / "reports" / "run.json").read_text()), proc.stdout


def checks(record: dict[str, Any], case: str) -> set[str]:
    found = [c for c in record["cases"] if c["id"] == case]
    assert found, f"{case} did not run"
    return {f["check"] for f in found[0]["findings"]}


@pytest.mark.parametrize("name", ["openai", "dashscope", "ark", "las"])
def test_the_plan_checks_itself(name: str) -> None:
    contract = load_contract(name)
    targets = plan(contract, load_contract("openai"))
    base = base_request(contract)
    assert {t.kind for t in targets} >= {POSITIVE, NEGATIVE}
    for t in targets:
        errors = contract.validate("request", t.body("m", base)).errors
        if t.kind == POSITIVE:
            assert not errors, t.id
        if t.kind == NEGATIVE:
            assert errors, t.id
    documented = set(contract.files["objects/create_request.json"]["properties"])
    assert documented <= {t.parameter for t in targets}  # every documented parameter has a target


def test_dashscope_unlisted_parameters_are_planned_from_the_profile() -> None:
    targets = plan(load_contract("dashscope"), load_contract("openai"))
    unlisted = {t.parameter for t in targets if t.kind == "unlisted"}
    assert {"metadata", "include", "text", "background"} <= unlisted
    assert "temperature" not in unlisted
    assert any(t.path == "temperature" and t.kind == NEGATIVE and t.leaf == 2 for t in targets)  # [0, 2)


def generated_case_ids(provider: str) -> set[str]:
    """Every generated case the suite runs for a provider: one per planned parameter and effect, combined, state."""
    from respcompat.effects import effects_of

    contract = load_contract(load_profile(provider).contract)
    params = {f"gen.param.{t.parameter}" for t in plan(contract, load_contract("openai"))}
    return params | {e.case_id for e in effects_of(contract)[0]} | {"gen.combined", "gen.state"}


def test_conforming_fake_gets_no_finding_and_replays_offline(fake: Any, tmp_path: Path) -> None:
    live, _ = run(fake.base_url, tmp_path)  # every generated case of the openai provider
    assert {c["id"] for c in live["cases"]} == generated_case_ids("openai")
    bad = {c["id"]: [f["check"] for f in c["findings"]] for c in live["cases"] if c["verdict"] != "conforms"}
    assert not bad, bad
    assert not [(c["id"], f["check"]) for c in live["cases"] for f in c["findings"]]
    effects = {name: e["verdict"] for name, e in live["parameter_effects"].items()}
    # Every measured parameter shows its effect, but the two OpenAI's response object does not echo (the echo
    # measure cannot tell: inconclusive, never ignored).
    assert {n for n, v in effects.items() if v != "applied"} == {"context_management", "moderation"}, effects
    assert {effects["context_management"], effects["moderation"]} == {"inconclusive"}
    assert {"max_output_tokens", "text", "tool_choice", "stream_options", "previous_response_id"} <= set(effects)
    assert live["coverage"]["parameters"]["temperature"]["sent"] >= 6
    assert live["generation"]["seed"] == 7
    offline, _ = run(fake.base_url, tmp_path, live=False)
    assert [(c["id"], c["verdict"], c["exchanges"]) for c in offline["cases"]] == [
        (c["id"], c["verdict"], c["exchanges"]) for c in live["cases"]
    ]
    assert offline["parameter_effects"] == live["parameter_effects"]


@pytest.mark.parametrize(
    ("fault", "select", "case", "check"),
    [
        ("crash-on=temperature:2", "gen.param.temperature", "gen.param.temperature", "request.server_error"),
        ("accept-invalid=temperature", "gen.param.temperature", "gen.param.temperature", "schema.request"),
        ("reject-valid=top_p:1", "gen.param.top_p", "gen.param.top_p", "request.valid_rejected"),
        ("ignore-param=temperature", "gen.effect.temperature", "gen.effect.temperature", "parameter.effect"),
        (
            "ignore-param=max_output_tokens",
            "gen.effect.max_output_tokens",
            "gen.effect.max_output_tokens",
            "parameter.effect",
        ),
        ("error-no-param", "gen.param.top_p", "gen.param.top_p", "request.error_names_parameter"),
        ("retrieve-after-delete", "gen.state", "gen.state", "state.deleted_not_found"),
        ("store-false-retrievable", "gen.state", "gen.state", "state.store_false_not_found"),
    ],
)
def test_each_planted_fault_is_caught(
    fake: Any, tmp_path: Path, fault: str, select: str, case: str, check: str
) -> None:
    record, out = run(fake.fault_url(fault), tmp_path, "-k", select)
    assert check in checks(record, case), out[-3000:]
    entry = next(c for c in record["cases"] if c["id"] == case)
    assert entry["verdict"] == "diverges"
    if case == "gen.state":  # shrunk to the shortest sequence and written as a regression case with its cassette
        shrunk = [f for f in entry["findings"] if f.get("shrunk_example")]
        assert shrunk, entry["findings"][:2]
        cases = list((tmp_path / "reports" / "regressions").glob("regress.gen.state.*.yaml"))
        assert cases and (tmp_path / "reports" / "regressions" / "cassettes" / "openai" / cases[0].name).exists()
        steps = __import__("yaml").safe_load(cases[0].read_text())["cases"][0]["steps"]
        assert len(steps) <= 4, steps
        offline, _ = run(fake.fault_url(fault), tmp_path, "-k", select, live=False)  # same expectations offline
        replayed = next(c for c in offline["cases"] if c["id"] == case)
        key = lambda e: sorted((f["check"], f["pointer"], f["exchange"]) for f in e["findings"])  # noqa: E731
        assert (replayed["verdict"], key(replayed)) == (entry["verdict"], key(entry))


@pytest.mark.parametrize(
    ("handling", "fault", "diverges"),
    [
        (None, None, set()),  # DashScope documents unlisted parameters as ignored: the fake accepts them
        (None, "reject-valid=user", {"gen.param.user"}),  # ... so refusing one is the finding
        ("rejected", None, {"gen.param.user", "gen.param.metadata"}),  # a profile saying rejected: accepting is
        ("rejected", "reject-valid=user", {"gen.param.metadata"}),
    ],
)
def test_unlisted_parameters_are_held_to_the_profiles_handling(
    fake: Any, tmp_path: Path, handling: str | None, fault: str | None, diverges: set[str]
) -> None:
    # `reject-valid=<param>` without a value refuses the parameter whatever its value. No shipped profile documents
    # `rejected` (ark, las, rongcloud say uncertain), so the plugin in fakes/profile_override.py flips DashScope's.
    assert load_profile("dashscope").unlisted_parameters["handling"] == "ignored"
    select = ["-k", "gen.param.user or gen.param.metadata", "-p", "fakes.profile_override"]
    url = fake.fault_url(fault) if fault else fake.base_url
    env = {"RESPCOMPAT_TEST_UNLISTED": handling} if handling else {}
    record, out = run(url, tmp_path, *select, provider="dashscope", env=env)
    assert {c["id"] for c in record["cases"]} == {"gen.param.user", "gen.param.metadata"}  # both are unlisted
    found = {c["id"] for c in record["cases"] if "request.unlisted_handling" in checks(record, c["id"])}
    assert found == diverges, out[-3000:]
    for case in record["cases"]:
        assert case["verdict"] == ("diverges" if case["id"] in diverges else "conforms"), case["findings"]
        for f in case["findings"]:
            if f["check"] == "request.unlisted_handling":
                want = "rejected (4xx)" if handling == "rejected" else "accepted (2xx)"
                assert (f["pointer"], f["expected"]) == ("/" + case["id"].rsplit(".", 1)[1], want)
                assert f["source"].startswith("DS-REF-latest")


def test_a_json_format_answered_in_plain_text_is_caught_by_the_wording(fake: Any, tmp_path: Path) -> None:
    # drop-text-format=echo: text.format echoed as sent, so nothing but the answer's wording shows it was not applied
    record, out = run(fake.fault_url("drop-text-format=echo"), tmp_path, "-k", "gen.effect.text")
    entry = next(c for c in record["cases"] if c["id"] == "gen.effect.text")
    assert [(f["check"], f["classification"]) for f in entry["findings"]] == [
        ("parameter.effect_wording", "model-dependent")
    ], out[-3000:]
    assert entry["verdict"] == "inconclusive"  # model-dependent evidence alone never makes a divergence
    assert record["parameter_effects"]["text"]["verdict"] == "ignored"
    assert record["parameter_effects"]["text"]["model_dependent"] is True


def test_a_crash_is_caught_by_combinations_and_shrunk_to_the_one_parameter(fake: Any, tmp_path: Path) -> None:
    # temperature=2 (the maximum) is one of the values gen.combined draws; 40 examples of seed 7 reach it
    record, out = run(
        fake.fault_url("crash-on=temperature:2"), tmp_path, "-k", "gen.combined", "--gen-examples=40", "--retries=0"
    )
    entry = next(c for c in record["cases"] if c["id"] == "gen.combined")
    assert entry["verdict"] == "diverges", out[-3000:]
    shrunk = [f for f in entry["findings"] if f.get("shrunk_example")]
    assert [(f["check"], f["pointer"]) for f in shrunk] == [("request.server_error", "/temperature")], shrunk
    assert '"temperature": 2}' in shrunk[0]["shrunk_example"]
    [case] = list((tmp_path / "reports" / "regressions").glob("regress.gen.combined.7.yaml"))
    steps = __import__("yaml").safe_load(case.read_text())["cases"][0]["steps"]
    base = base_request(load_contract("openai"))
    assert steps == [{"request": {**base, "temperature": 2}}]  # the base request and the one parameter
    assert (tmp_path / "reports" / "regressions" / "cassettes" / "openai" / case.name).exists()


def test_the_state_machine_sends_no_made_up_id_after_a_refused_continue(fake: Any, tmp_path: Path) -> None:
    # Seed 1 continues from a deleted response within 8 examples; that create is rightly refused. The machine once
    # put a made-up id in its bundle for it and sent it on (a delete expected to succeed, a continue naming no
    # response of the flow), and a conforming server got findings.
    record, out = run(fake.base_url, tmp_path, "-k", "gen.state", "--gen-seed=1", "--gen-examples=8")
    entry = next(c for c in record["cases"] if c["id"] == "gen.state")
    assert (entry["verdict"], entry["findings"]) == ("conforms", []), out[-3000:]
    sent = __import__("yaml").safe_load((tmp_path / "cassettes" / "openai" / "gen.state.yaml").read_text())
    refused = [
        i
        for i in sent["interactions"]
        if "previous_response_id" in (i["request"]["body"] or "") and i["response"]["status"]["code"] >= 400
    ]
    assert refused  # the seed still reaches the case it pins
    assert not [i for i in sent["interactions"] if "resp_missing" in i["request"]["uri"] + (i["request"]["body"] or "")]


def test_the_ledger_gives_live_and_replayed_state_steps_the_same_expectations() -> None:
    from types import SimpleNamespace

    from respcompat.hunt import Ledger

    def answer(rid: str) -> Any:
        return SimpleNamespace(response=SimpleNamespace(body={"id": rid}))

    book = Ledger()
    create = {"model": "m", "input": "x", "store": False}
    assert book.expect("POST", "/responses", create) == {"http_status": "2xx"}
    book.after("POST", "/responses", create, answer("resp_a"))
    assert book.expect("POST", "/responses", {**create, "previous_response_id": "resp_a"}) == {"http_status": "4xx"}
    assert book.expect("GET", "/responses/resp_a/input_items", None) == {"http_status": "4xx"}
    assert book.expect("DELETE", "/responses/resp_b", None) == {"http_status": "2xx"}
    book.after("DELETE", "/responses/resp_b", None, answer("resp_b"))
    assert book.expect("DELETE", "/responses/resp_b", None) == {"http_status": "4xx"}
    assert book.expect("POST", "/responses", {**create, "previous_response_id": "resp_b"}) == {"http_status": "4xx"}
    assert book.expect("GET", "/responses/resp_c", None) == {}  # a retrieve is the state.* checks' to judge


def test_generated_cases_need_generate_to_go_live(fake: Any, tmp_path: Path) -> None:
    env = {**os.environ, "OPENAI_API_KEY": DEFAULT_KEY}
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "suites" / "test_generated.py"),
        "--provider=openai",
        "--base-url",
        fake.base_url,
        "--record-mode=all",
        f"--cassette-dir={tmp_path}",
        f"--report-dir={tmp_path}",
        "-q",
        "-p",
        "no:cacheprovider",
        "-k",
        "gen.param.top_p",
        "-rs",
    ]
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300).stdout
    assert "sent live only with --generate" in out


def test_a_combined_crash_recorded_with_retries_replays_offline_with_the_same_findings(
    fake: Any, tmp_path: Path
) -> None:
    # Each 500 is retried once live: the cassette holds two attempts per crashing request, resent as one on replay.
    args = ("-k", "gen.combined", "--gen-examples=40", "--retries=1")
    live, out = run(fake.fault_url("crash-on=temperature:2"), tmp_path, *args)
    offline, out2 = run(fake.fault_url("crash-on=temperature:2"), tmp_path, *args, live=False)
    [a] = [c for c in live["cases"] if c["id"] == "gen.combined"]
    [b] = [c for c in offline["cases"] if c["id"] == "gen.combined"]
    assert a["verdict"] == "diverges", out[-2000:]
    key = lambda e: sorted((f["check"], f["pointer"], f["exchange"]) for f in e["findings"])  # noqa: E731
    assert (b["verdict"], b["exchanges"], key(b)) == (a["verdict"], a["exchanges"], key(a)), out2[-2000:]


def test_repeats_with_differing_outcomes_are_flaky_and_the_record_holds_its_schema(fake: Any, tmp_path: Path) -> None:
    import json as _json

    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    args = ("-k", "gen.param.top_p", "--retries=0")
    steady, _ = run(fake.base_url, tmp_path / "steady", *args, "--repeat=2")
    assert steady["generation"]["flaky"] == []  # the same answer twice: nothing flaky
    once, _ = run(fake.fault_url("flaky-crash"), tmp_path / "once", *args)
    assert once["generation"]["flaky"] == []  # one send per target: nothing to compare, however they read
    record, out = run(fake.fault_url("flaky-crash"), tmp_path / "twice", *args, "--repeat=2")
    flaky = record["generation"]["flaky"]
    assert flaky and all(len(f["verdicts"]) == 2 and "server-error" in f["verdicts"] for f in flaky), out[-2000:]
    assert {v for f in flaky for v in f["verdicts"]} == {"accepted", "rejected", "server-error"}
    meta = ROOT / "schemas" / "_meta"
    docs = {p.name: _json.loads(p.read_text()) for p in meta.glob("*.schema.json")}
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs.values())
    registry = registry.with_resources((n, Resource.from_contents(d)) for n, d in docs.items())
    errors = list(Draft202012Validator(docs["run-record.schema.json"], registry=registry).iter_errors(record))
    assert not errors, [e.message for e in errors][:3]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"detail": [{"loc": ["body", "top_p"], "msg": "Input should be less than or equal to 1"}]}, True),
        ({"detail": "Invalid value"}, False),
        ({"error": {"message": "bad value", "param": "top_p", "type": "invalid_request_error"}}, True),
        ({"error": {"message": "bad value", "param": None, "type": "invalid_request_error"}}, False),
        ({"code": "InvalidParameter", "message": "top_p must be in [0, 1]"}, True),
    ],
)
def test_an_error_names_the_parameter_in_any_envelope(body: dict[str, Any], named: bool) -> None:
    from respcompat.checks import CheckContext, run_checks
    from respcompat.exchange import Exchange, Request, Response

    x = Exchange(
        Request("POST", "http://127.0.0.1:1/v1/responses", body={"model": "m", "input": "hi", "top_p": 7}),
        Response(status=400, body=body),
        meta={"generated": {"kind": "negative", "parameter": "top_p", "path": "top_p", "value": 7, "rule": "maximum"}},
    )
    found = run_checks(x, CheckContext(None, None, [x]), only=["request.error_names_parameter"])
    assert bool(found) is not named, found


def test_an_echo_with_the_servers_own_extra_fields_still_shows_the_parameter_applied() -> None:
    from respcompat.effects import _same

    tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
    assert _same([{**tool, "strict": None, "description": None}], [tool])  # LiteLLM's echo: extras set to null
    assert not _same([{**tool, "name": "other"}], [tool])
    assert not _same([tool, tool], [tool]) and not _same([], [tool])


def test_a_nested_required_negative_sends_its_parameter_without_the_key() -> None:
    """`tools.name` required: the request carries tools (a function without name), not no tools at all."""
    from respcompat.generate import TOOL, Target

    bare = [{k: v for k, v in TOOL.items() if k != "name"}]
    body = Target("tools", "tools.name", bare, NEGATIVE, "required", "<no name>").body("m", {"input": "x"})
    assert body["tools"] == bare
    assert "model" not in Target("model", "model", None, NEGATIVE, "required").body("m", {"input": "x"})


@pytest.mark.parametrize("name", ["openai", "dashscope", "ark", "las"])
def test_an_mcp_tool_must_name_its_server_and_a_valid_one_is_planned_but_not_sent(name: str) -> None:
    """OpenAI's spec says in prose that one of server_url, connector_id or tunnel_id must be provided
    (schemas/openai/prose.yaml). A valid mcp tool would make the server dial an MCP server the test bed does not
    run, so it is planned (coverage names why) and never sent; the tool without any of them is a negative."""
    from hypothesis import HealthCheck, given, settings

    from respcompat.coverage import coverage
    from respcompat.generate import strategy

    contract = load_contract(name)
    ask = lambda tool: contract.validate("request", {"model": "m", "input": "x", "tools": [tool]}).ok  # noqa: E731
    assert not ask({"type": "mcp", "server_label": "x"})
    assert ask({"type": "mcp", "server_label": "x", "server_url": "http://127.0.0.1:9/mcp"})
    assert ask({"type": "mcp", "server_label": "x", "connector_id": "connector_gmail"})
    targets = plan(contract, load_contract("openai"))
    mcp = [t for t in targets if t.parameter == "tools" and "mcp" in json.dumps(t.value)]
    [valid] = [t for t in mcp if t.kind == POSITIVE]
    [bare] = [t for t in mcp if t.kind == NEGATIVE]
    assert valid.unsent and "MCP server" in valid.unsent and not bare.unsent
    assert bare.value == [{"type": "mcp", "server_label": "x"}] and bare.rule == "required"
    assert "127.0.0.1" in valid.value[0]["server_url"]  # were it ever sent, nothing would leave the machine
    cov = coverage([], [], load_profile(name))
    assert cov["not_exercised"]['tools.type="mcp"'] == valid.unsent

    tools_only = [t for t in targets if t.parameter == "tools"]  # every example draws a tools value

    @settings(max_examples=200, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy(tools_only, "m", base_request(contract)))
    def never_drawn(body: dict[str, Any]) -> None:
        assert "mcp" not in json.dumps(body.get("tools"))

    never_drawn()


def test_a_server_that_accepts_an_mcp_tool_naming_no_server_is_caught() -> None:
    """llama.cpp (recorded on loopback) answers 200 to an mcp tool with no server_url: schema.request says so."""
    from respcompat import importers
    from respcompat.engine import judge_exchanges

    cassette = ROOT / "cassettes" / "llamacpp" / "gen.param.tools.yaml"
    exchanges = importers.load_file(cassette).exchanges
    [i] = [k for k, x in enumerate(exchanges) if x.request.body.get("tools") == [{"type": "mcp", "server_label": "x"}]]
    assert exchanges[i].response.status == 200
    findings = judge_exchanges([exchanges[i]], "llamacpp").findings
    assert any(f.check == "schema.request" and f.pointer == "/tools/0" for f in findings), findings


def test_combinations_shrink_the_first_divergence_drawn_not_another_one(fake: Any, tmp_path: Path) -> None:
    """Two planted faults: Hypothesis shrinks the one it met first; the other is still a finding, never the shrunk one."""
    faults = ("crash-on=temperature:2", "reject-valid=tools")  # seed 7 meets the crash first; tools are drawn often
    record, out = run(fake.fault_url(*faults), tmp_path, "-k", "gen.combined", "--gen-examples=40", "--retries=0")
    entry = next(c for c in record["cases"] if c["id"] == "gen.combined")
    planted = ("request.server_error", "request.valid_rejected")
    met = [f for f in sorted(entry["findings"], key=lambda f: f["exchange"]) if f["check"] in planted]
    assert met, out[-3000:]
    [shrunk] = [f for f in entry["findings"] if f.get("shrunk_example")]
    assert shrunk["check"] == met[0]["check"], (met[0]["check"], shrunk)
    varied = shrunk["pointer"].lstrip("/").split("+")
    assert varied == (["temperature"] if shrunk["check"] == "request.server_error" else ["tools"]), shrunk


def test_a_recording_in_mode_all_replaces_the_cassette_instead_of_adding_to_it(fake: Any, tmp_path: Path) -> None:
    """vcrpy's `all` keeps what a run did not repeat; a Hypothesis cassette is replayed in order, so a second, shorter
    recording must leave only its own requests (and replay to its own verdict)."""
    import yaml

    cassette = tmp_path / "cassettes" / "openai" / "gen.combined.yaml"
    run(fake.base_url, tmp_path, "-k", "gen.combined", "--gen-examples=6")
    first = len(yaml.safe_load(cassette.read_text())["interactions"])
    live, _ = run(fake.base_url, tmp_path, "-k", "gen.combined", "--gen-examples=2")
    assert len(yaml.safe_load(cassette.read_text())["interactions"]) == 2 < first
    replayed, _ = run(None, tmp_path, "-k", "gen.combined", live=False)
    [a] = [c for c in live["cases"] if c["id"] == "gen.combined"]
    [b] = [c for c in replayed["cases"] if c["id"] == "gen.combined"]
    assert (a["verdict"], a["exchanges"]) == (b["verdict"], b["exchanges"]) == ("conforms", 2)


@pytest.mark.parametrize("mode", ["all", "rewrite"])
def test_mode_all_leaves_the_cassettes_of_cases_that_send_nothing_alone(fake: Any, tmp_path: Path, mode: str) -> None:
    """A documentation example is never sent live: re-recording a provider must not lose its transcriptions."""
    import shutil

    src = ROOT / "cassettes" / "dashscope"
    (tmp_path / "cassettes").mkdir()
    shutil.copytree(src, tmp_path / "cassettes" / "dashscope")
    before = {p.name: p.read_bytes() for p in (tmp_path / "cassettes" / "dashscope").glob("doc.*.yaml")}
    cmd = [sys.executable, "-m", "pytest", str(ROOT / "suites" / "test_cases.py"), "--provider=dashscope"]
    cmd += [f"--base-url={fake.base_url}", f"--record-mode={mode}", f"--cassette-dir={tmp_path / 'cassettes'}"]
    cmd += [f"--report-dir={tmp_path / 'reports'}", "-q", "-p", "no:cacheprovider", "-k", "doc."]
    env = {**os.environ, "DASHSCOPE_API_KEY": DEFAULT_KEY}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    cases = json.loads((tmp_path / "reports" / "run.json").read_text())["cases"]  # the run happened, and reached them
    assert sorted(c["id"] + ".yaml" for c in cases if c["id"].startswith("doc.")) == sorted(before), proc.stdout[-2000:]
    after = {p.name: p.read_bytes() for p in (tmp_path / "cassettes" / "dashscope").glob("doc.*.yaml")}
    assert before and after == before
