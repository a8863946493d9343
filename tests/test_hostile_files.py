"""Hostile files through `respcompat check` in a subprocess, under a wall-clock guard and a memory cap: every file is
listed with findings or a clear error, the good files are judged, nothing crashes, hangs or blows memory.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _realworld import SKIP_REASON, realworld_files

from respcompat import safe_yaml
from respcompat.exchange import RAW_PREFIX
from respcompat.importers import load_bytes, load_file, load_text
from respcompat.sse import SSEParser, parse_sse

FIXTURES = Path(__file__).parent / "fixtures" / "cli"
TIMEOUT_S = 120  # a hang guard; the goal for the whole folder is well under 20 s
MEMORY_CAP = 2 << 30  # address space of the child: an alias bomb or a quadratic copy hits it long before the timeout


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_check(folder: Path) -> tuple[dict, str]:
    """The JSON report and stderr of `respcompat check --format json folder`."""
    proc = subprocess.run(
        [sys.executable, "-m", "respcompat.cli", "check", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        preexec_fn=_limit_memory,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode in (0, 1, 3), (proc.returncode, proc.stderr[-3000:])
    return json.loads(proc.stdout), proc.stderr


def _alias_bomb() -> str:
    """A vcrpy cassette whose `parsed_body` expands to 9**9 nodes ("billion laughs"), under 1 kB on disk."""
    lines = [
        "interactions:",
        "- request: {method: POST, uri: 'https://api.openai.com/v1/responses', body: null, headers: {}}",
        "  response:",
        "    status: {code: 200, message: OK}",
        "    headers: {}",
        "    parsed_body:",
        "      a: &a [x,x,x,x,x,x,x,x,x]",
    ]
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"      {name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines + ["version: 1", ""])


def _stream(events: list[dict]) -> str:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)


def _response(**extra) -> dict:
    return {
        "id": "resp_h1",
        "object": "response",
        "created_at": 1760000000,
        "status": "completed",
        "model": "m",
        "output": [],
        "error": None,
        "incomplete_details": None,
        **extra,
    }


# name -> (content, what the report must say: None = judged without error, else a substring of the error)
HOSTILE: dict[str, tuple[bytes, str | None]] = {
    "alias_bomb.yaml": (_alias_bomb().encode(), "YAML alias expansion over"),
    "deep_body.json": (("[" * 600 + "1" + "]" * 600).encode(), "nested deeper than"),
    "deep_in_response.json": (
        json.dumps(_response(metadata={"x": "@"})).replace('"@"', "[" * 600 + "]" * 600).encode(),
        "nested deeper than",
    ),
    "empty.json": (b"", "empty file"),
    "binary.bin": (bytes(range(256)) + b"\0" * 64, "not UTF-8"),
    "nul_bytes.txt": (b"data: x\0\0\0\n\n", "binary file (NUL bytes)"),
    "truncated.json": (b'{"id": "resp_1", "object": "response", "output": [{"type": "mess', "JSON syntax error"),
    "chat_completion.json": (
        json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "choices": []}).encode(),
        "a Chat Completions body (object chat.completion)",
    ),
    "array.json": (b"[1,2]", "a JSON array, not a recorded exchange"),
    "number.json": (b"42", "a JSON number"),
    "ten_mb_string.json": (json.dumps(_response(instructions="x" * 10_000_000)).encode(), None),
}


def _invalid_utf8_stream() -> bytes:
    good = (FIXTURES / "clean_text_stream.sse").read_bytes()
    return good.replace(b'"delta":"', b'"delta":"\xff', 1)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("hostile")
    for name, (content, _) in HOSTILE.items():
        (folder / name).write_bytes(content)
    (folder / "invalid_utf8.sse").write_bytes(_invalid_utf8_stream())
    deep_event = json.dumps({"type": "response.output_text.delta", "sequence_number": 0, "delta": "@"})
    deep_event = deep_event.replace('"@"', "[" * 700 + "]" * 700)
    (folder / "deep_event.sse").write_text(f"data: {deep_event}\n\n")
    for good in ("clean_text_stream.sse", "planted_text_stream.sse"):
        shutil.copy(FIXTURES / good, folder / good)
    doc, _ = run_check(folder)
    doc["_names"] = sorted(p.name for p in folder.iterdir())
    return doc


def _entry(doc: dict, name: str) -> dict:
    [entry] = [f for f in doc["files"] if Path(f["path"]).name == name]
    return entry


def test_every_hostile_file_is_listed_once(report):
    assert sorted(Path(f["path"]).name for f in report["files"]) == report["_names"]
    assert report["summary"]["files"] == len(report["_names"])


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_an_unreadable_file_with_a_reason_or_judged(report, name):
    entry = _entry(report, name)
    expected = HOSTILE[name][1]
    if expected is None:
        assert entry["error"] is None and entry["exchanges"] == 1
    else:
        assert entry["error"] and expected in entry["error"], entry["error"]
        assert entry["exchanges"] == 0 and entry["findings"] == []


def test_good_files_next_to_hostile_ones_are_judged(report):
    clean, planted = _entry(report, "clean_text_stream.sse"), _entry(report, "planted_text_stream.sse")
    assert clean["error"] is None and clean["exchanges"] == 1 and clean["infra_errors"] == []
    assert planted["error"] is None and planted["findings"], "the planted divergences went unseen"


def test_a_stream_with_one_invalid_utf8_byte_is_judged_not_refused(report):
    entry = _entry(report, "invalid_utf8.sse")
    assert entry["error"] is None and entry["exchanges"] == 1 and entry["infra_errors"] == []


def test_an_event_nested_600_deep_is_a_parse_finding_not_a_crash(report):
    entry = _entry(report, "deep_event.sse")
    assert entry["error"] is None and entry["infra_errors"] == []
    assert any(f["check"] == "stream.parse" and f["event"] == 0 for f in entry["findings"])


def test_unreadable_files_are_counted_and_never_pass_as_ok(report):
    unreadable = [f for f in report["files"] if f["error"]]
    assert report["summary"]["unreadable_files"] == len(unreadable)
    assert len(unreadable) == sum(1 for _, why in HOSTILE.values() if why)


# Checks on these two were quadratic (checks/framing.py, checks/lifecycle.py: 87 s and 142 s) before they were made
# linear. Each runs alone, so that a regression costs only its own verdict (the guard is the subprocess timeout).
@pytest.mark.parametrize(
    "name, text",
    [
        ("done_20k.sse", "data: [DONE]\n\n" * 20_000),
        (
            "errors_20k.sse",
            "".join(
                f'event: error\ndata: {{"type":"error","sequence_number":{i},"code":"x","message":"m","param":null}}\n\n'
                for i in range(20_000)
            ),
        ),
    ],
)
def test_twenty_thousand_repeated_events_are_judged_in_bounded_time(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    doc, _ = run_check(tmp_path)
    [entry] = doc["files"]
    assert entry["error"] is None and entry["exchanges"] == 1
    assert entry["findings"], "a stream of only [DONE] or only error events is not a conforming stream"


# --- the same defences, unit by unit ------------------------------------------------------------------------


def test_alias_bomb_cassette_is_refused_before_it_is_built():
    r = load_text(_alias_bomb(), "bomb.yaml")
    assert r.exchanges == [] and r.error == "YAML alias expansion over 100000 nodes: refused (a YAML bomb?)"


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: &a [*a]\n", "recursive"),
        ("a: &a [1]\n" + "".join(f"b{i}: *a\n" for i in range(101)), "over 100 aliases"),
        ("- " * 150 + "x\n", "nested deeper than 100"),
        ("a: &a " + "[" * 60 + "1" + "]" * 60 + "\nb: " + "[" * 50 + "*a" + "]" * 50 + "\n", "through aliases"),
    ],
)
def test_safe_yaml_refuses_recursion_many_aliases_and_depth(text, message):
    with pytest.raises(safe_yaml.YAMLBombError, match=message):
        safe_yaml.load(text)


def test_safe_yaml_keeps_a_few_shared_nodes_as_a_recorder_dumps_them():
    shared = {"content-type": ["application/json"]}
    text = yaml.safe_dump({"a": shared, "b": shared, "c": [shared] * 3})
    assert "*id001" in text
    assert safe_yaml.load(text) == {"a": shared, "b": shared, "c": [shared] * 3}


def test_recording_deserializer_refuses_an_alias_bomb():
    from respcompat.recording import Serializer

    with pytest.raises(yaml.YAMLError, match="YAML bomb"):
        Serializer.deserialize(_alias_bomb())


def test_one_invalid_utf8_byte_in_a_stream_file_is_replaced_and_counted(tmp_path):
    path = tmp_path / "s.sse"
    path.write_bytes(_invalid_utf8_stream())
    for r in (load_file(path), load_bytes(path.read_bytes(), "s.sse")):
        assert r.error is None and r.format == "sse"
        resp = r.exchanges[0].response
        assert resp.framing.invalid_utf8 == 1
        assert any("\ufffd" in json.dumps(e.data, ensure_ascii=False) for e in resp.events)


def test_live_parser_counts_invalid_utf8_split_across_chunks():
    parser = SSEParser()
    # A sequence cut short by a quote (one bad sequence), then a real U+FFFD split across two chunks.
    for chunk in (b'data: {"a":"\xe2', b'\x82"}\n\ndata: {"b":"\xef\xbf', b'\xbd"}\n\n'):
        parser.feed(chunk)
    parser.close()
    assert parser.framing.invalid_utf8 == 1 and [e.data for e in parser.events][1] == {"b": "\ufffd"}


@pytest.mark.parametrize(
    "text, reason",
    [
        ("[1,2]", "a JSON array, not a recorded exchange"),
        ("[]", "an empty JSON array"),
        ("3.5", "a JSON number"),
        ('"text"', "a JSON string"),
        ("null", "a JSON null"),
        (
            '{"id": "chatcmpl-1", "object": "chat.completion", "choices": []}',
            "a Chat Completions body (object chat.completion), not a Responses exchange",
        ),
        (
            '{"object": "chat.completion.chunk", "choices": []}',
            "a Chat Completions body (object chat.completion.chunk)",
        ),
        ('{"name": "x", "version": 2}', "a JSON object with keys name, version, not a recorded exchange"),
        ("", "an empty file"),
        ("[" * 200 + "]" * 200, "a JSON document nested deeper than 100"),
    ],
)
def test_a_document_that_is_no_exchange_is_an_unreadable_file_with_a_reason(text, reason):
    r = load_text(text, "doc.json")
    assert r.exchanges == [] and r.error and reason in r.error, r.error


@pytest.mark.parametrize(
    "doc",
    [
        {"id": "resp_1", "object": "response", "status": "completed", "output": []},
        {"error": {"message": "bad", "type": "invalid_request_error", "param": None, "code": None}},
        {"id": "resp_1", "object": "response.deleted", "deleted": True},
        {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False},
        [{"type": "response.created", "sequence_number": 0, "response": {}}],
    ],
)
def test_bare_bodies_that_are_real_exchanges_are_kept(doc):
    r = load_text(json.dumps(doc), "body.json")
    assert r.error is None and r.format == "json-body" and len(r.exchanges) == 1


def test_deep_body_inside_a_cassette_is_a_body_error_not_a_crash():
    body = "[" * 700 + "]" * 700
    cassette = {
        "interactions": [
            {
                "request": {"method": "POST", "uri": "https://h/v1/responses", "body": body},
                "response": {"status": {"code": 200}, "headers": {}, "body": {"string": body}},
            }
        ]
    }
    r = load_text(yaml.safe_dump(cassette), "c.yaml")
    assert r.error is None
    [ex] = r.exchanges
    assert ex.response.body is None and "nested deeper than 100" in ex.response.body_error
    assert ex.request.body is None and ex.request.raw_body == body


def test_a_stream_file_keeps_parsed_events_without_a_second_copy_of_the_text(tmp_path):
    good = (FIXTURES / "clean_text_stream.sse").read_text()
    text = good + "data: {not json\n\n"
    path = tmp_path / "s.sse"
    path.write_text(text * (RAW_PREFIX // len(text) + 2))
    [ex] = load_file(path).exchanges
    resp = ex.response
    assert len(resp.raw_body) == RAW_PREFIX and text.startswith(resp.raw_body[: len(text)])
    parsed = [e for e in resp.events if e.data is not None]
    broken = [e for e in resp.events if e.parse_error]
    assert parsed and all(e.raw == "" for e in parsed)
    assert broken and all(e.raw == "{not json" for e in broken)
    # The file read in chunks gives the same events as the same text parsed whole.
    whole, _ = parse_sse(path.read_text())
    assert [(e.data, e.event, e.parse_error, e.done) for e in resp.events] == [
        (e.data, e.event, e.parse_error, e.done) for e in whole
    ]


@pytest.mark.skipif(not realworld_files(), reason=SKIP_REASON)
def test_every_realworld_file_still_imports_without_error():
    results = [load_file(p) for p in realworld_files()]
    assert len(results) == 154
    assert [(r.path, r.error) for r in results if r.error or not r.exchanges] == []
