"""Generated requests, end to end through the plugin against the fake server: a conforming server gets no finding,
and each planted fault (a 5xx on a valid value, an invalid value accepted, a valid value rejected, a parameter
ignored, retrieve after delete, store=false retrievable) is caught by the check that names it; a recorded run
replays offline with the same verdicts."""

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

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fake() -> Any:
    server = FakeResponsesServer()
    server.start()
    yield server
    server.stop()


def run(
    base_url: str | None, tmp: Path, *args: str, provider: str = "openai", live: bool = True
) -> tuple[dict[str, Any], str]:
    """Live (record) against `base_url`, or with live=False the offline replay of what was recorded from it."""
    env = {**os.environ, "OPENAI_API_KEY": DEFAULT_KEY}
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


def test_conforming_fake_gets_no_finding_and_replays_offline(fake: Any, tmp_path: Path) -> None:
    live, _ = run(fake.base_url, tmp_path, "-k", "temperature or top_p or effect or state or combined")
    bad = {c["id"]: [f["check"] for f in c["findings"]] for c in live["cases"] if c["verdict"] != "conforms"}
    assert not bad, bad
    assert live["parameter_effects"]["max_output_tokens"]["verdict"] == "applied"
    assert live["coverage"]["parameters"]["temperature"]["sent"] >= 6
    assert live["generation"]["seed"] == 7
    offline, _ = run(fake.base_url, tmp_path, "-k", "temperature or top_p or effect or state or combined", live=False)
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
