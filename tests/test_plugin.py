"""The pytest plugin end to end (pytester): skips that say what to do, findings as failure messages, strict
expectations, the run record, and documentation cassettes judged as transcribed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from _fake_server import FakeServer

from respcompat import expectations, recording
from respcompat.transport import Transport

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "suites" / "test_cases.py"
CASE = "text.string_input"
BODY = {"model": "gpt-4o-mini", "input": "Reply with exactly one word: pong"}


@pytest.fixture
def cassettes(tmp_path: Path) -> Path:
    """A cassette for text.string_input under openai, recorded from the fake server."""
    import vcr

    path = tmp_path / "cassettes" / "openai" / f"{CASE}.yaml"
    v = vcr.VCR(record_mode="once")
    recording.configure(v, lambda p: recording.provenance(p.stem, model="gpt-4o-mini", base_url="http://127.0.0.1/v1"))
    with FakeServer() as url, v.use_cassette(str(path), **recording.vcr_config(None)):
        Transport(url, backoff=0).create(BODY)
    return tmp_path / "cassettes"


def run(pytester: pytest.Pytester, tmp_path: Path, cassettes: Path, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        str(SUITE),
        "--provider",
        "openai",
        "--cassette-dir",
        str(cassettes),
        "--report-dir",
        str(tmp_path / "reports"),
        "-rsx",
        *args,
    )


def record_of(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "reports" / "run.json").read_text())


def test_replay_without_cassette_skips_with_the_command_that_records_it(pytester, tmp_path):
    result = run(pytester, tmp_path, tmp_path / "empty", "-k", "stream.text")
    result.stdout.fnmatch_lines(
        ["*no cassette*stream.text.yaml; record it with: pytest --provider openai --record-mode once -k stream.text*"]
    )
    assert result.ret == 0


def test_live_run_without_key_skips_naming_the_variable(pytester, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run(pytester, tmp_path, tmp_path / "empty", "-k", "stream.text", "--record-mode", "once")
    result.stdout.fnmatch_lines(["*live run needs an API key: set OPENAI_API_KEY*"])


def test_new_divergence_fails_with_the_finding_and_no_traceback(pytester, tmp_path, cassettes):
    result = run(pytester, tmp_path, cassettes, "-k", CASE)
    out = result.stdout.str()
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["*new undocumented divergence(s)*", "*undocumented-divergence  *  at /*", "*expected: *", "*actual: *"]
    )
    assert "Traceback" not in out and "def test_case" not in out
    case = record_of(tmp_path)["cases"][0]
    assert case["id"] == CASE and case["outcome"] == "failed" and case["findings"]


def _expect_all(tmp_path: Path, monkeypatch, findings: list[dict], extra: list[dict] = ()) -> None:
    entries = [{"case": CASE, "check": f["check"], "pointer": f["pointer"], "reason": "known"} for f in findings]
    d = tmp_path / "expectations"
    d.mkdir(exist_ok=True)
    (d / "openai.yaml").write_text(yaml.safe_dump({"provider": "openai", "expectations": entries + list(extra)}))
    monkeypatch.setattr(expectations, "EXPECTATIONS_DIR", d)


def test_known_divergences_are_expected_failures(pytester, tmp_path, cassettes, monkeypatch):
    run(pytester, tmp_path, cassettes, "-k", CASE)
    _expect_all(tmp_path, monkeypatch, record_of(tmp_path)["cases"][0]["findings"])
    result = run(pytester, tmp_path, cassettes, "-k", CASE)
    assert result.ret == 0
    result.assert_outcomes(xfailed=1)
    assert record_of(tmp_path)["cases"][0]["outcome"] == "xfailed"


def test_a_known_divergence_that_no_longer_occurs_fails_the_run(pytester, tmp_path, cassettes, monkeypatch):
    run(pytester, tmp_path, cassettes, "-k", CASE)
    gone = {"case": CASE, "check": "stream.sequence_number", "reason": "was broken in 2026-10"}
    _expect_all(tmp_path, monkeypatch, record_of(tmp_path)["cases"][0]["findings"], [gone])
    result = run(pytester, tmp_path, cassettes, "-k", CASE)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*unexpected pass  stream.sequence_number*no longer occurs*"])


def test_documentation_cassette_is_judged_as_transcribed_without_sending(pytester, tmp_path, cassettes):
    path = cassettes / "openai" / f"{CASE}.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["interactions"][0]["request"]["uri"] = "https://example.invalid/docs/v1/responses"
    doc["respcompat"] = {
        "case": CASE,
        "provenance": {
            "kind": "documentation",
            "page": "OPENAI-REF",
            "url": "https://platform.openai.com/docs/api-reference/responses",
        },
    }
    (cassettes / "openai" / "doc.response_object_example.yaml").write_text(yaml.safe_dump(doc))
    result = run(pytester, tmp_path, cassettes, "-k", "doc.response_object_example")
    cases = record_of(tmp_path)["cases"]
    assert [c["id"] for c in cases] == ["doc.response_object_example"]
    assert cases[0]["outcome"] == "failed" and cases[0]["findings"], result.stdout.str()


def test_suite_without_provider_is_skipped_with_the_option_to_pass(pytester):
    result = pytester.runpytest(str(SUITE), "-rs", "-k", CASE)
    result.stdout.fnmatch_lines(["*run with --provider NAME*"])
    assert result.ret == 0


def test_every_case_file_satisfies_the_meta_schema_and_feature_list():
    spec = importlib.util.spec_from_file_location("suite_cases", SUITE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ids = [c["id"] for c in module.load_cases()]
    assert {"text.string_input", "stream.text", "errors.bad_key", "reasoning.enable_thinking"} <= set(ids)
    assert len(ids) == len(set(ids))


def test_update_expectations_keeps_annotations_and_adds_new_divergences(tmp_path):
    path = tmp_path / "openai.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "provider": "openai",
                "expectations": [
                    {
                        "case": "a.x",
                        "check": "schema.response",
                        "pointer": "/id",
                        "reason": "triaged",
                        "source": "OPENAI-REF",
                    },
                    {"case": "a.x", "check": "usage.arithmetic", "pointer": "/usage", "reason": "fixed since"},
                    {"case": "b.y", "check": "schema.event", "pointer": "", "reason": "did not run"},
                ],
            }
        )
    )
    f = lambda check, pointer: {"check": check, "pointer": pointer, "classification": "undocumented-divergence"}
    run_record = {
        "version": 1,
        "provider": "openai",
        "cases": [
            {
                "id": "a.x",
                "outcome": "failed",
                "findings": [
                    f("schema.response", "/id"),
                    f("timestamps.units", "/created_at"),
                    {**f("schema.response", "/x"), "classification": "documented-deviation"},
                ],
            },
            {"id": "b.y", "outcome": "skipped", "findings": []},
        ],
    }
    expectations.update_expectations(run_record, path)
    got = {(e["case"], e["check"]): e for e in expectations.load_expectations("openai", path)}
    assert set(got) == {("a.x", "schema.response"), ("a.x", "timestamps.units"), ("b.y", "schema.event")}
    assert got[("a.x", "schema.response")]["reason"] == "triaged"
    assert got[("a.x", "timestamps.units")]["reason"].startswith("TODO")


def test_update_expectations_writes_shared_reasons_by_id_for_cases_that_did_not_run_and_to_a_new_file(tmp_path):
    """Entries of cases that did not run go back as written (a reason id, no resolved text); `-o` to a new file
    starts from the provider's current file, so its shared reasons are kept."""
    current = tmp_path / "current.yaml"
    current.write_text(
        yaml.safe_dump(
            {
                "provider": "openai",
                "reasons": {"shared": {"kind": "server", "text": "one cause", "source": "OPENAI-REF"}},
                "expectations": [
                    {"case": "a.x", "check": "schema.response", "pointer": "/id", "reason": "shared"},
                    {"case": "b.y", "check": "schema.event", "pointer": "", "reason": "shared"},
                ],
            }
        )
    )
    f = {"check": "schema.response", "pointer": "/id", "classification": "undocumented-divergence"}
    run_record = {"version": 1, "provider": "openai", "cases": [{"id": "a.x", "outcome": "failed", "findings": [f]}]}
    expectations.update_expectations(run_record, current)
    raw = yaml.safe_load(current.read_text())
    assert [e["reason"] for e in raw["expectations"]] == ["shared", "shared"], raw
    assert not any("reason_id" in e or "kind" in e for e in raw["expectations"])
    expectations.load_expectations("openai", current)  # holds its schema
    new = tmp_path / "new.yaml"
    expectations.EXPECTATIONS_DIR, saved = tmp_path, expectations.EXPECTATIONS_DIR
    try:
        (tmp_path / "openai.yaml").write_text(current.read_text())
        expectations.update_expectations(run_record, new)
    finally:
        expectations.EXPECTATIONS_DIR = saved
    assert yaml.safe_load(new.read_text())["reasons"] == raw["reasons"]
    assert len(expectations.load_expectations("openai", new)) == 2


def test_expectations_file_breaking_its_schema_is_refused(tmp_path):
    path = tmp_path / "openai.yaml"
    path.write_text(
        yaml.safe_dump({"provider": "openai", "expectations": [{"case": "a.x", "check": "schema.response"}]})
    )
    with pytest.raises(expectations.ExpectationsError, match="reason"):
        expectations.load_expectations("openai", path)


def test_a_transcribed_documentation_cassette_is_held_to_its_case_expectations(tmp_path):
    """The documented example of text.string_input answers `incomplete`: the case expects `completed`, so it diverges."""
    import subprocess
    import sys

    cassettes = tmp_path / "cassettes" / "dashscope"
    cassettes.mkdir(parents=True)
    shipped = (ROOT / "cassettes" / "dashscope" / "text.string_input.yaml").read_text()
    assert '"status": "completed' in shipped
    (cassettes / "text.string_input.yaml").write_text(shipped.replace('"status": "completed', '"status": "incomplete'))
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(SUITE),
        "--provider=dashscope",
        f"--cassette-dir={tmp_path / 'cassettes'}",
        f"--report-dir={tmp_path / 'reports'}",
        "-q",
        "-p",
        "no:cacheprovider",
        "-k",
        "text.string_input",
    ]
    subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    (case,) = [c for c in record_of(tmp_path)["cases"] if c["id"] == "text.string_input"]
    assert case["verdict"] == "diverges" and any(f["check"] == "case.status" for f in case["findings"]), case
