"""The recorder: cassettes written through vcrpy + httpx are scrubbed, readable, matched on JSON, and replay alike."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import vcr
import yaml
from _fake_server import FakeServer
from vcr.errors import CannotOverwriteExistingCassetteException

from respcompat import recording
from respcompat.checks import load_all
from respcompat.transport import InfraError, Transport

# pytester's in-process runs drop the modules first imported inside them; the check registry would then see each
# check registered twice when a later test imports the modules again
load_all()

KEY = "sk-fakefakefake0123456789abcdefXYZ"
SUITE = Path(__file__).resolve().parents[1] / "suites" / "test_cases.py"
pytest_plugins = ["pytester"]


def _vcr(mode: str) -> vcr.VCR:
    v = vcr.VCR(record_mode=mode)
    recording.configure(
        v, lambda p: recording.provenance(p.stem, model="fake-model", base_url="http://127.0.0.1:1/v1"), [KEY]
    )
    return v


def _record(path: Path, url: str, body: dict, **kw) -> Transport:
    with _vcr("once").use_cassette(str(path), **recording.vcr_config(None, [KEY])):
        t = Transport(url, {"Authorization": f"Bearer {KEY}"}, backoff=0)
        t.send("POST", "/responses", body, **kw)
    return t


def test_key_appears_nowhere_in_the_cassette(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with FakeServer() as url:
        _record(
            path, url, {"model": "m", "input": f"my key is {KEY}", "api_key": KEY}, params={"api_key": KEY, "key": KEY}
        )
    text = path.read_text()
    assert KEY not in text
    assert "REDACTED" in text


def test_sse_body_is_stored_as_readable_text(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with FakeServer() as url:
        _record(path, url, {"model": "m", "input": "hi", "stream": True})
    text = path.read_text()
    assert "\n        event: response.created\n" in text  # a literal block, line by line as on the wire
    assert yaml.safe_load(text)["respcompat"]["provenance"]["kind"] == "local-server"


def test_replay_matches_json_bodies_whatever_their_key_order(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with FakeServer() as url:
        _record(path, url, {"model": "m", "input": "hi"})
    with _vcr("none").use_cassette(str(path), **recording.vcr_config(None)):
        t = Transport("http://127.0.0.1:1/v1", backoff=0)  # nothing listens there: replay only
        ex = t.send("POST", "/responses", {"input": "hi", "model": "m"})
    assert ex.response.body["output"][0]["content"][0]["text"] == "pong"


def test_replay_refuses_a_request_whose_body_differs(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with FakeServer() as url:
        _record(path, url, {"model": "m", "input": "hi"})
    with _vcr("none").use_cassette(str(path), **recording.vcr_config(None)):
        with pytest.raises(CannotOverwriteExistingCassetteException):
            Transport("http://127.0.0.1:1/v1", backoff=0).send("POST", "/responses", {"model": "m", "input": "bye"})


def test_documentation_cassette_matches_on_method_and_endpoint_only() -> None:
    doc = SimpleNamespace(method="POST", path="/api/v2/apps/protocols/compatible-mode/v1/responses", body=b'{"a": 1}')
    ours = SimpleNamespace(method="POST", path="/compatible-mode/v1/responses", body=b'{"b": 2}')
    retrieve = SimpleNamespace(method="GET", path="/compatible-mode/v1/responses/resp_1", body=None)
    recording.endpoint(doc, ours)
    with pytest.raises(AssertionError):
        recording.endpoint(doc, retrieve)
    assert recording.match_on("documentation") == ("method", "endpoint")


def test_connection_error_becomes_an_infrastructure_error() -> None:
    with FakeServer() as url:
        pass  # the port is closed again
    with pytest.raises(InfraError, match="ConnectError"):
        Transport(url, retries=1, backoff=0).send("POST", "/responses", {"model": "m"})


def _run(pytester: pytest.Pytester, tmp: Path, *args: str) -> dict:
    result = pytester.runpytest(
        str(SUITE),
        "--provider",
        "openai",
        "--cassette-dir",
        str(tmp / "cassettes"),
        "-k",
        "text.string_input or stream.text",
        "-p",
        "no:randomly",
        *args,
    )
    assert result.ret in (0, 1), result.stdout.str()
    return {
        c["id"]: c for c in json.loads((Path(args[args.index("--report-dir") + 1]) / "run.json").read_text())["cases"]
    }


def test_record_then_replay_gives_the_same_findings(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeServer() as url:
        recorded = _run(
            pytester, tmp_path, "--base-url", url, "--record-mode", "once", "--report-dir", str(tmp_path / "rec")
        )
    replayed = _run(pytester, tmp_path, "--base-url", url, "--report-dir", str(tmp_path / "replay"))
    assert set(recorded) == {"text.string_input", "stream.text"}
    for cid, case in recorded.items():
        assert case["outcome"] != "skipped" and replayed[cid]["outcome"] == case["outcome"]
        assert replayed[cid]["findings"] == case["findings"]
    for f in (tmp_path / "cassettes" / "openai").iterdir():
        assert KEY not in f.read_text()


def test_a_timed_out_case_replays_as_an_infrastructure_error_not_a_missing_cassette(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fakes import FakeResponsesServer

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    limits = ("--read-timeout", "0.2", "--retries", "1")
    server = FakeResponsesServer(api_key=KEY, delay=30.0)
    server.start()
    try:
        url = server.fault_url("slow-first-byte")  # headers 30 s late: every attempt times out
        rec = ("--base-url", url, "--record-mode", "once", *limits, "--report-dir", str(tmp_path / "rec"))
        recorded = _run(pytester, tmp_path, *rec)
    finally:
        server.stop()
    replayed = _run(pytester, tmp_path, "--base-url", url, *limits, "--report-dir", str(tmp_path / "replay"))
    assert set(recorded) == {"text.string_input", "stream.text"}
    for cid, case in recorded.items():
        assert case["verdict"] == "infrastructure-error", case
        assert replayed[cid]["verdict"] == "infrastructure-error", replayed[cid]
        assert "ReadTimeout" in replayed[cid]["infra_error"] and "not in cassette" not in replayed[cid]["infra_error"]
    for f in (tmp_path / "cassettes" / "openai").iterdir():
        doc = yaml.safe_load(f.read_text())
        assert [i["response"]["status"]["code"] for i in doc["interactions"]] == [599, 599]  # one per attempt
    # `respcompat check` on the same cassettes: each stand-in is an infrastructure error, never judged, exit 3
    from respcompat.cli import EXIT_UNREADABLE, check_paths, exit_code

    doc = check_paths([str(tmp_path / "cassettes" / "openai")], "openai")
    assert doc["summary"]["infra_errors"] == 4 and doc["summary"]["findings"] == 0, doc["files"]
    assert all("no answer: ReadTimeout" in e for f in doc["files"] for e in f["infra_errors"])
    assert exit_code(doc) == EXIT_UNREADABLE
