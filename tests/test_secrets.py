"""Credentials are scrubbed by VALUE, whatever their shape, from everything written or printed: cassettes, the run
record and its Markdown, pytest's output and logs; a writer refuses text that still holds one; deep JSON is fine."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpcore  # noqa: F401  pytester's in-process runs drop modules first imported inside them
import pytest
import vcr

from respcompat import recording, scrub
from respcompat.report import write_run_record
from respcompat.transport import Transport

pytest_plugins = ["pytester"]
SUITE = Path(__file__).resolve().parents[1] / "suites" / "test_cases.py"

KEYS = {
    "sk": "sk-live0a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9",
    "bare40": "Q7f2Lm9xT4vB8nR1cW6yK3pZ0aH5dJ2sE9uG4iXo",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZXNwY29tcGF0In0.c2lnbmF0dXJlLXZhbHVlLXgteQ",
    "short12": "k3yZ9q7TmW2x",
}


@pytest.fixture(autouse=True)
def fresh_registry():
    scrub.clear_secrets()
    yield
    scrub.clear_secrets()


def _nested(depth: int) -> Any:
    doc: Any = "bottom"
    for _ in range(depth):
        doc = {"a": doc}
    return doc


# --- an echoing loopback server ------------------------------------------------------------------------------


def _response(key: str, deep: int = 0) -> dict[str, Any]:
    return {
        "id": "resp_echo1",
        "object": "response",
        "created_at": 1767225600,
        "completed_at": 1767225601,
        "status": key,  # breaks the contract, so the value lands in a finding (expected/actual) unless scrubbed
        "model": "fake-model",
        "error": None,
        "incomplete_details": None,
        "output": [
            {
                "type": "message",
                "id": "msg_echo1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": f"your key is {key}", "annotations": []}],
            }
        ],
        "usage": {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7},
        "metadata": {"echo": key, **({"deep": json.dumps(_nested(deep))} if deep else {})},
        **({"deep": _nested(deep)} if deep else {}),
    }


def _sse(key: str) -> str:
    events = [
        {"type": "response.created", "response": {**_response(key), "status": "in_progress", "output": []}},
        {
            "type": "response.output_text.delta",
            "output_index": 0,
            "content_index": 0,
            "item_id": "msg_echo1",
            "delta": f"key={key}",
        },
        {"type": "response.completed", "response": _response(key)},
    ]
    return "".join(
        f"event: {e['type']}\ndata: {json.dumps({**e, 'sequence_number': i})}\n\n" for i, e in enumerate(events)
    )


class EchoServer:
    """Answers with the caller's key everywhere: body, event data, response headers, and error messages."""

    def __init__(self, deep: int = 0) -> None:
        self.deep, self.seen = deep, []

    def __enter__(self) -> str:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                key = (self.headers.get("authorization") or "").removeprefix("Bearer ")
                outer.seen.append(key)
                if body.get("model") == "respcompat-no-such-model":
                    status, ctype = 404, "application/json"
                    payload = json.dumps({"error": f"Incorrect API key provided: {key}. Find yours at ..."})
                elif body.get("stream"):
                    status, ctype, payload = 200, "text/event-stream", _sse(key)
                else:
                    status, ctype, payload = 200, "application/json", json.dumps(_response(key, outer.deep))
                data = payload.encode()
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("x-echo-key", key)
                self.send_header("x-request-note", f"authorized as {key}")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_port}/v1"

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- the scrubber ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(KEYS))
def test_a_registered_key_is_redacted_by_value_whatever_its_shape(shape: str) -> None:
    key = KEYS[shape]
    text = f"error: Incorrect API key provided: {key}; url ?k={quote(key, safe='')}; json {json.dumps(key)}"
    assert key in scrub.redact(text) or shape == "sk"  # unregistered: only the sk- shape is caught by pattern
    scrub.register_secret(key)
    out = scrub.redact(text)
    assert key not in out and quote(key, safe="") not in out and out.count(scrub.REDACTED) == 3


def test_secrets_passed_explicitly_count_too_and_short_values_are_not_registered() -> None:
    assert scrub.redact("a k3yZ9q7TmW2x b", ["k3yZ9q7TmW2x"]) == "a REDACTED b"
    scrub.register_secret("abc")  # would redact ordinary words everywhere
    assert scrub.registered_secrets() == frozenset()


def test_a_writer_refuses_text_holding_a_secret_naming_the_file_not_the_secret(tmp_path: Path) -> None:
    key = KEYS["bare40"]
    scrub.register_secret(key)
    with pytest.raises(scrub.SecretLeak, match="run.json") as info:
        scrub.guard(f"leak {key}", tmp_path / "run.json")
    assert key not in str(info.value)
    scrub.write_text(tmp_path / "ok.txt", f"leak {key}")  # the one way to write: scrubbed first
    assert (tmp_path / "ok.txt").read_text() == "leak REDACTED"


def test_the_run_record_writer_scrubs_by_value(tmp_path: Path) -> None:
    key = KEYS["short12"]
    scrub.register_secret(key)
    record = {
        "version": 1,
        "provider": "openai",
        "cases": [{"id": "x", "outcome": "error", "findings": [], "infra_error": f"POST /responses: 401 for {key}"}],
    }
    write_run_record(record, tmp_path)
    for f in tmp_path.iterdir():
        assert key not in f.read_text(), f.name
    assert "REDACTED" in (tmp_path / "run.json").read_text()


def test_deep_json_is_scrubbed_without_recursion() -> None:
    key = KEYS["jwt"]
    deep = _nested(5000)
    node = deep
    while isinstance(node["a"], dict):
        node = node["a"]
    node["a"], node["api_key"] = f"bottom {key}", "x"
    clean = scrub.scrub_json(deep, [key])
    node = clean
    while isinstance(node["a"], dict):
        node = node["a"]
    assert node == {"a": "bottom REDACTED", "api_key": "REDACTED"}
    body = json.dumps(_nested(600)).replace('"bottom"', json.dumps(key))
    assert key not in scrub.scrub_body(body, [key]) and "REDACTED" in scrub.scrub_body(body, [key])


def test_logs_are_scrubbed_once_a_secret_is_known(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    key = KEYS["bare40"]
    scrub.register_secret(key)
    with caplog.at_level(logging.INFO, logger="vcr.cassette"):
        logging.getLogger("vcr.cassette").info("Appending request %s and response %s", "r", {"body": key})
    assert key not in caplog.text and "REDACTED" in caplog.text


# --- recordings and the plugin --------------------------------------------------------------------------------


def test_a_recording_holds_no_echoed_key_in_body_header_or_error(tmp_path: Path) -> None:
    key = KEYS["bare40"]
    path = tmp_path / "c.yaml"
    v = vcr.VCR(record_mode="once")
    recording.configure(v, lambda p: recording.provenance(p.stem, model="m", base_url="http://127.0.0.1:1/v1"))
    with EchoServer() as url, v.use_cassette(str(path), **recording.vcr_config(None)):
        t = Transport(url, {"Authorization": f"Bearer {key}"}, backoff=0)
        ok = t.create({"model": "m", "input": "hi"})
        err = t.create({"model": "respcompat-no-such-model", "input": "hi"})
        stream = t.create({"model": "m", "input": "hi", "stream": True})
    text = path.read_text()
    assert key not in text and text.count("REDACTED") >= 6
    # What the flow and the checks see is what the cassette holds: scrubbed, so record and replay judge alike.
    assert ok.response.body["metadata"]["echo"] == "REDACTED" and ok.response.headers["x-echo-key"] == "REDACTED"
    assert "REDACTED" in err.response.body["error"] and stream.response.events[1].data["delta"] == "key=REDACTED"
    assert key not in repr(t.exchanges)


def test_a_600_deep_body_is_recorded_and_judged(tmp_path: Path) -> None:
    key = KEYS["sk"]
    path = tmp_path / "c.yaml"
    v = vcr.VCR(record_mode="once")
    recording.configure(v, lambda p: recording.provenance(p.stem, model="m", base_url="http://127.0.0.1:1/v1"))
    with EchoServer(deep=600) as url, v.use_cassette(str(path), **recording.vcr_config(None, [key])):
        ex = Transport(url, {"Authorization": f"Bearer {key}"}, backoff=0).create({"model": "m", "input": "hi"})
    assert path.exists() and key not in path.read_text()
    # Whether the body is parsed or refused as too deep is the importer's call; the answer is kept, scrubbed.
    assert ex.response.status == 200 and key not in ex.response.raw_body and '"echo":"REDACTED"' in ex.response.raw_body


@pytest.mark.parametrize("shape", sorted(KEYS))
def test_the_key_in_use_is_nowhere_after_a_plugin_recording(
    shape: str, pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = KEYS[shape]
    monkeypatch.setenv("OPENAI_API_KEY", key)
    cassettes, reports = tmp_path / "cassettes", tmp_path / "reports"
    server = EchoServer()
    with server as url:
        result = pytester.runpytest(
            str(SUITE),
            "--provider",
            "openai",
            "--base-url",
            url,
            "--record-mode",
            "once",
            "--cassette-dir",
            str(cassettes),
            "--report-dir",
            str(reports),
            "-k",
            "text.string_input or stream.text or errors.unknown_model",
            "-p",
            "no:randomly",
            "-rA",
            "-vv",
            "--log-level=INFO",
        )
    out = result.stdout.str() + result.stderr.str()
    assert server.seen and set(server.seen) == {key}  # the key really was in use, and echoed
    written = {f: f.read_text() for d in (cassettes, reports) for f in d.rglob("*") if f.is_file()}
    assert len([f for f in written if f.suffix == ".yaml"]) == 3 and (reports / "run.json") in written
    assert "REDACTED" in out and all("REDACTED" in t for f, t in written.items() if f.suffix == ".yaml")
    assert key not in out, [line for line in out.splitlines() if key in line][:3]
    for f, text in written.items():
        assert key not in text, f"{f.name} holds the key"
