"""Earned verdicts, end to end: the suites run live (through the plugin, in a subprocess as a user runs them) against
the fake Responses server, conforming and with one planted fault at a time. Each fault must come out with the right
verdict and the check that names it; the conforming server must get `conforms` on every case it is sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakes.server import DEFAULT_KEY, FakeResponsesServer

from respcompat.exchange import Exchange, Request, Response
from respcompat.findings import MODEL_DEPENDENT, UNDOCUMENTED, Finding
from respcompat.steps import Precondition, resolve, run_steps
from respcompat.verdict import CONFORMS, DIVERGES, INCONCLUSIVE, INFRA, decide

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fake() -> Any:
    server = FakeResponsesServer()
    server.start()
    yield server
    server.stop()


def run_suite(base_url: str, tmp: Path, *args: str, provider: str = "openai") -> dict[str, dict]:
    """`pytest --provider=... --base-url=... --record-mode=all`, as a user types it; the run record's cases by id."""
    return run_suite_with_output(base_url, tmp, *args, provider=provider)[0]


def run_suite_with_output(
    base_url: str, tmp: Path, *args: str, provider: str = "openai"
) -> tuple[dict[str, dict], str]:
    env = {**os.environ, "OPENAI_API_KEY": DEFAULT_KEY}
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "suites"),
        f"--provider={provider}",
        f"--base-url={base_url}",
        "--record-mode=all",
        f"--cassette-dir={tmp / 'cassettes'}",
        f"--report-dir={tmp / 'reports'}",
        "-q",
        "-p",
        "no:cacheprovider",
        *args,
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    record = json.loads((tmp / "reports" / "run.json").read_text())
    return {c["id"]: c for c in record["cases"]}, proc.stdout + proc.stderr


def test_a_conforming_server_gets_conforms_on_every_case_it_is_sent(fake, tmp_path):
    cases = run_suite(fake.base_url, tmp_path)
    sent = {cid: c for cid, c in cases.items() if c["verdict"] != "untested"}
    assert len(sent) >= 30
    assert {cid: c["verdict"] for cid, c in sent.items() if c["verdict"] != CONFORMS} == {}
    assert [
        f for c in sent.values() for f in c["findings"] if f["classification"] in (UNDOCUMENTED, MODEL_DEPENDENT)
    ] == []
    assert all(c["exchanges"] >= 1 for c in sent.values())
    untested = [c for c in cases.values() if c["verdict"] == "untested"]
    assert all("applies to" in c["reasons"][0] or "only with --generate" in c["reasons"][0] for c in untested), untested


FAULTS = [
    ("null-body", "text.string_input", DIVERGES, "body.kind"),
    ("list-body", "text.string_input", DIVERGES, "body.kind"),
    ("wrong-object", "text.string_input", DIVERGES, "body.kind"),
    ("html-body", "text.string_input", DIVERGES, "body.json"),
    ("truncated-json", "text.string_input", DIVERGES, "body.json"),
    ("empty-body", "text.string_input", DIVERGES, "body.json"),
    ("ignore-previous-response-id", "flow.multiturn", DIVERGES, "request.echo"),
    ("ignore-previous-response-id", "flow.input_items_chain", DIVERGES, "request.echo"),
    ("ignore-instructions", "text.instructions", DIVERGES, "request.echo"),
    ("no-output-text-done", "stream.text", DIVERGES, "stream.text_done"),
    ("no-output-item-done", "stream.text", DIVERGES, "stream.item_lifecycle"),
    ("wrong-terminal-event", "stream.text", DIVERGES, "stream.terminal_status"),
    ("no-event-lines", "stream.text", DIVERGES, "stream.declared_framing"),
    ("no-retrieve", "flow.retrieve_equals_create", DIVERGES, "endpoint.unsupported"),
    ("store-false-retrievable", "flow.store_false", DIVERGES, "state.store_false_not_found"),
    ("retrieve-after-delete", "flow.delete_then_retrieve", DIVERGES, "state.deleted_not_found"),
    ("retrieve-differs", "flow.retrieve_equals_create", DIVERGES, "state.retrieve_equals_create"),
    ("no-websocket", "endpoints.websocket", DIVERGES, "endpoint.unsupported"),
    ("no-input-items", "flow.input_items_chain", DIVERGES, "endpoint.unsupported"),
    ("deep-json", "text.string_input", DIVERGES, "body.json"),
    ("429-once", "text.string_input", CONFORMS, None),
    ("503-always", "text.string_input", INFRA, None),
    ("cut-stream", "stream.text", INFRA, None),
]


@pytest.mark.parametrize("fault,case,verdict,check", FAULTS, ids=[f"{f}-{c}" for f, c, _, _ in FAULTS])
def test_each_planted_fault_gets_its_verdict_and_the_check_that_names_it(fake, tmp_path, fault, case, verdict, check):
    got = run_suite(fake.fault_url(fault), tmp_path, "-k", case)[case]
    assert got["verdict"] == verdict, got
    undocumented = {f["check"] for f in got["findings"] if f["classification"] == UNDOCUMENTED}
    if check is not None:
        assert check in undocumented, got["findings"]
    if verdict == INFRA:  # infrastructure is counted and shown, never a divergence
        assert got["infra_error"], got


def test_an_endpoint_the_profile_does_not_document_is_unsupported_not_a_divergence(tmp_path, monkeypatch):
    from fakes import server as fake_server

    monkeypatch.setattr(fake_server._Handler, "_authorize", lambda self: None)  # llamacpp's profile sends no key
    with FakeResponsesServer(faults=["no-retrieve"]) as url:
        got = run_suite(url, tmp_path, "-k", "flow.retrieve_equals_create", provider="llamacpp")
    case = got["flow.retrieve_equals_create"]
    assert case["verdict"] == "unsupported", case
    assert [f["check"] for f in case["findings"] if f["check"] == "endpoint.unsupported"] == ["endpoint.unsupported"]


# --- the verdict rules and the step runner, without a server ----------------------------------------------------


def _exchange(status: int = 200, body: Any = None) -> Exchange:
    return Exchange(Request(url="http://x/v1/responses"), Response(status=status, body=body), label="POST /responses")


def test_a_step_that_needs_an_id_the_earlier_step_did_not_give_names_both_steps():
    saved = {"first": _exchange(400, {"error": {"message": "bad"}})}
    with pytest.raises(Precondition, match=r"step 2 needs \{first.id\}.*HTTP 400"):
        resolve({"previous_response_id": "{first.id}"}, saved, 2)


def test_a_flow_whose_precondition_failed_is_inconclusive_never_a_pass():
    class Transport:
        def __init__(self) -> None:
            self.sent: list[Exchange] = []

        def create(self, body: dict, headers: Any = None) -> Exchange:
            x = _exchange(200, {"object": "response", "status": "completed", "output": []})  # no id
            x.index = len(self.sent)
            self.sent.append(x)
            return x

    t = Transport()
    flow = {
        "steps": [
            {"save": "a", "request": {"input": "hi"}},
            {"request": {"input": "again", "previous_response_id": "{a.id}"}},
        ]
    }
    why = run_steps(t, flow, "m")
    assert len(t.sent) == 1 and why and "step 2" in why[0]
    assert t.sent[0].meta["expect"] == {"http_status": "2xx"}  # a step others build on must succeed
    assert decide(t.sent, [], new=[], known=[], infra=[], not_judged=why).verdict == INCONCLUSIVE


def test_model_dependent_findings_alone_never_make_a_divergence():
    weak = Finding("case.output_text", "/output", "no 'Ada'", classification=MODEL_DEPENDENT)
    verdict = decide([_exchange()], [weak], new=[], known=[], infra=[], not_judged=[])
    assert verdict.verdict == INCONCLUSIVE and "model-dependent" in verdict.reasons[0]


def test_nothing_sent_is_untested_and_infrastructure_wins_over_findings():
    assert decide([], [], new=[], known=[], infra=[], not_judged=[]).verdict == "untested"
    bad = Finding("body.kind", "", "null", classification=UNDOCUMENTED)
    assert (
        decide([_exchange()], [bad], new=[bad], known=[], infra=["503 after 3 attempts"], not_judged=[]).verdict
        == INFRA
    )


def test_fields_openai_does_not_define_are_extensions_shown_but_never_a_divergence(fake, tmp_path):
    got = run_suite(fake.fault_url("extra-fields"), tmp_path, "-k", "stream.text")["stream.text"]
    assert got["verdict"] == CONFORMS, got
    pointers = {f["pointer"] for f in got["findings"] if f["check"] == "extension.field"}
    assert "/response/timings" in pointers and all(
        f["classification"] == "extension" for f in got["findings"] if f["check"] == "extension.field"
    )


def test_a_first_byte_later_than_the_read_timeout_is_infrastructure_and_sooner_is_judged(fake, tmp_path):
    url = fake.fault_url("slow-first-byte=2")
    late = run_suite(url, tmp_path / "late", "-k", "text.string_input", "--read-timeout=0.5", "--retries=0")
    assert late["text.string_input"]["verdict"] == INFRA, late
    patient = run_suite(url, tmp_path / "patient", "-k", "text.string_input", "--read-timeout=10")
    assert patient["text.string_input"]["verdict"] == CONFORMS, patient


@pytest.mark.parametrize("fault", ["echo-key-body", "echo-key-header", "echo-key-error"])
def test_a_key_the_server_echoes_is_in_no_file_and_no_output(fake, tmp_path, fault):
    cases, output = run_suite_with_output(fake.fault_url(fault), tmp_path, "-k", "text.string_input or stream.text")
    assert cases["text.string_input"]["exchanges"] == 1  # the run did reach the server and judge its answer
    assert DEFAULT_KEY not in output
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and not [p for p in written if DEFAULT_KEY in p.read_text(errors="replace")]
