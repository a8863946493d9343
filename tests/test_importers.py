"""Importers: every recording format -> exchanges; malformed files give an error, never an exception."""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter
from pathlib import Path

import pytest
import yaml
from _realworld import SKIP_REASON, realworld_dir, realworld_files, require_realworld

from respcompat.importers import load_bytes, load_file, load_path, load_text

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
CORPUS_FILES = realworld_files()


def _rel(p: Path) -> str:
    return p.relative_to(realworld_dir()).as_posix()


# --- the real-world corpus -------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS_FILES, reason=SKIP_REASON)
@pytest.mark.parametrize("path", CORPUS_FILES, ids=_rel if CORPUS_FILES else None)
def test_every_realworld_file_imports_with_at_least_one_exchange(path):
    result = load_file(path)
    assert result.error is None, result.error
    assert result.exchanges and result.format
    for ex in result.exchanges:
        assert ex.response is not None and ex.response.body_error is None
        assert ex.response.is_stream or ex.response.body is not None


def test_realworld_corpus_has_154_files_and_sensible_counts_per_format():
    root = require_realworld()
    results = load_path(root)
    assert len(results) == 154  # PROVENANCE.md is skipped
    files, streams, events = Counter(), Counter(), Counter()
    for r in results:
        files[r.format] += 1
        for ex in r.exchanges:
            if ex.response.is_stream:
                streams[r.format] += 1
                events[r.format] += len(ex.response.events)
    assert files == {"vcr-yaml": 85, "json-body": 39, "jsonl-events": 18, "test-proxy-json": 10, "sse": 2}
    # 18 event-line files; 3 of them concatenate the streams of a multi-step run (22 streams in all).
    assert streams["jsonl-events"] == 22 and streams["sse"] == 2 and streams["test-proxy-json"] == 3
    assert streams["vcr-yaml"] >= 30 and events["vcr-yaml"] > 2000 and events["jsonl-events"] > 3000


def test_openai_dotnet_stream_lines_concatenate_into_a_fully_parsed_stream():
    root = require_realworld()
    r = load_file(root / "openai" / "openai-dotnet__StreamingResponses.json")
    assert r.format == "test-proxy-json"
    resp = r.exchanges[0].response
    assert resp.status == 200 and resp.is_stream and len(resp.events) > 5
    assert all(e.parse_error is None and e.event == e.type for e in resp.events)
    assert resp.events[0].type == "response.created" and resp.events[-1].type == "response.completed"
    assert r.exchanges[0].request.headers["authorization"] == "Sanitized"  # redactions stay as they are


def test_test_proxy_delete_session_yields_create_retrieve_delete_and_a_404():
    r = load_file(require_realworld() / "openai" / "openai-dotnet__CanDeleteResponse.json")
    assert [(e.endpoint, e.response.status) for e in r.exchanges] == [
        ("create", 200),
        ("retrieve", 200),
        ("delete", 200),
        ("retrieve", 404),
    ]
    assert r.exchanges[2].response.body["deleted"] is True


def test_stock_vcrpy_folded_sse_string_is_unfolded_into_events():
    r = load_file(require_realworld() / "openai" / "llm-openai-plugin__test_async_model.yaml")
    resp = r.exchanges[0].response
    assert resp.is_stream and all(e.parse_error is None for e in resp.events)
    assert resp.events[0].type == "response.created" and resp.framing.event_lines == len(resp.events)
    assert r.exchanges[0].request.body["stream"] is True


def test_vcrpy_binary_gzip_body_is_gunzipped_and_parsed():
    r = load_file(require_realworld() / "openai" / "llm-openai-plugin__test_options[options0].yaml")
    ex = r.exchanges[0]
    assert ex.response.headers["content-encoding"] == "gzip" and ex.response.body["object"] == "response"
    assert "set-cookie" in ex.response.headers  # header names lower-cased


def test_pydantic_parsed_body_cassette_gives_parsed_request_and_stream():
    r = load_file(require_realworld() / "openai" / "pydantic-ai__test_openai_responses_stream.yaml")
    first = r.exchanges[0]
    assert first.request.body["model"] == "gpt-4o" and first.endpoint == "create"
    assert first.response.is_stream and first.response.events[-1].type == "response.completed"


def test_openrouter_comment_and_done_sentinel_reach_the_framing():
    name = "pydantic-ai__test_openai_responses_raw_cot_stream_openrouter.yaml"
    r = load_file(require_realworld() / "openrouter" / name)
    framing = r.exchanges[0].response.framing
    assert framing.comments == ["OPENROUTER PROCESSING"] and framing.done_sentinel and framing.event_lines == 0


def test_dashscope_stream_framing_no_space_ids_and_status_comments():
    r = load_file(require_realworld() / "dashscope" / "vendor-doc__dashscope_web-extractor_stream_excerpt.sse.txt")
    assert r.format == "sse"
    f = r.exchanges[0].response.framing
    n = len(r.exchanges[0].response.events)
    assert f.data_without_space == f.id_lines == n and f.data_with_space == 0
    assert set(f.comments) == {"HTTP_STATUS/200"}


def test_dashscope_openapi_examples_become_one_exchange_per_documented_example():
    r = load_file(require_realworld() / "dashscope" / "vendor-doc__dashscope_openapi_responses_examples.yaml")
    assert r.format == "json-body"
    labels = [(e.response.status, e.response.is_stream, e.meta["documentation"]["example"]) for e in r.exchanges]
    assert labels[0] == (200, False, "example")
    assert (200, True, "basic_call") in labels and (401, False, "example") in labels
    fragments = [e for e in r.exchanges if e.meta.get("fragment")]
    assert len(fragments) == 4 and all(len(e.response.events) == 1 for e in fragments)


def test_single_trimmed_event_json_is_a_one_event_fragment():
    name = "unknown-repo__dashscope_qwen3-coder-plus_response.completed_event_trimmed.json"
    path = require_realworld() / "dashscope" / name
    ex = load_file(path).exchanges[0]
    assert ex.meta == {"fragment": True} and ex.response.events[0].type == "response.completed"
    assert ex.response.framing.kind == "jsonl"


def test_vercel_chunks_file_is_jsonl_events():
    r = load_file(require_realworld() / "openai" / "vercel-ai__openai-error.1.chunks.txt")
    events = r.exchanges[0].response.events
    assert r.format == "jsonl-events" and [e.type for e in events][-2:] == ["error", "response.failed"]


# --- own fixtures ----------------------------------------------------------------------------------


def test_har_fixture_reads_stream_base64_gzip_and_non_json_bodies():
    r = load_file(FIXTURES / "session.har")
    assert r.error is None and r.format == "har"
    stream, retrieved, deleted, gateway = r.exchanges
    assert stream.request.body == {"model": "m", "input": "hi", "stream": True}
    assert stream.request.headers["authorization"] == "REDACTED"
    assert [e.type for e in stream.response.events] == ["response.created", "response.completed"]
    assert retrieved.endpoint == "retrieve" and retrieved.response.body["id"] == "resp_har1"
    assert deleted.endpoint == "delete" and deleted.response.body["deleted"] is True
    assert gateway.endpoint == "input_items" and gateway.response.status == 502
    assert gateway.response.body_error and gateway.response.raw_body == "<html>bad gateway</html>"


def test_har_entry_without_response_status_is_an_error():
    r = load_file(FIXTURES / "missing_status.har")
    assert r.format == "har" and r.exchanges == []
    assert r.error == "HAR: entry 0.response has no `status`"


def test_own_cassette_keeps_the_respcompat_block_in_meta():
    r = load_file(FIXTURES / "own_cassette.yaml")
    ex = r.exchanges[0]
    assert r.format == "vcr-yaml" and ex.response.status == 200 and ex.response.body["id"] == "resp_1"
    prov = ex.meta["respcompat"]["provenance"]
    assert ex.meta["respcompat"]["case"] == "text.string_input"
    assert prov["date"] == "2026-11-22"  # a string, so the block stays JSON-serialisable
    assert ex.request.headers == {"content-type": "application/json", "authorization": "REDACTED"}


def test_crlf_sse_fixture_with_done_sentinel():
    resp = load_file(FIXTURES / "crlf_stream.sse").exchanges[0].response
    assert resp.framing.crlf and resp.framing.done_sentinel and resp.framing.comments == ["keep-alive"]
    assert [e.done for e in resp.events] == [False, True] and resp.events[0].id == "1"


def test_stock_vcrpy_binary_body_without_encoding_header_is_gunzipped_by_magic(tmp_path):
    body = gzip.compress(b'{"object":"response","status":"completed"}')
    cassette = {
        "version": 1,
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": "https://h/v1/responses",
                    "body": b'{"model":"m"}',
                    "headers": {"Content-Type": "application/json"},
                },
                "response": {
                    "status": {"code": 200, "message": "OK"},
                    "headers": {"Content-Type": ["application/json"]},
                    "body": {"string": body},
                },
            }
        ],
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cassette))
    ex = load_file(path).exchanges[0]
    assert ex.request.body == {"model": "m"} and ex.response.body["status"] == "completed"


def test_stream_detected_by_content_even_without_content_type(tmp_path):
    response = {"status": 200, "headers": {}, "body": {"string": 'data: {"type":"x"}\n\n'}}
    cassette = {
        "interactions": [{"request": {"method": "POST", "uri": "https://h/v1/responses"}, "response": response}]
    }
    path = tmp_path / "c.json"  # vcrpy's JSON serializer: same shape, detected by content
    path.write_text(json.dumps(cassette))
    r = load_file(path)
    assert r.format == "vcr-yaml" and r.exchanges[0].response.events[0].type == "x"


def test_undecodable_response_body_sets_body_error_and_keeps_raw(tmp_path):
    cassette = {
        "interactions": [
            {
                "request": {"method": "GET", "uri": "https://h/v1/responses/r"},
                "response": {
                    "status": {"code": 200},
                    "headers": {"content-encoding": ["gzip"]},
                    "body": {"string": b"not gzip at all"},
                },
            }
        ]
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cassette))
    resp = load_file(path).exchanges[0].response
    assert "cannot decompress" in resp.body_error and resp.raw_body == "not gzip at all"


def test_bare_json_bodies_of_each_kind(tmp_path):
    for name, doc, endpoint in [
        ("deleted.json", {"id": "r", "object": "response.deleted", "deleted": True}, "delete"),
        ("items.json", {"object": "list", "data": [], "first_id": None}, "input_items"),
        ("error.json", {"error": {"message": "m", "type": "t", "code": None, "param": None}}, "create"),
    ]:
        (tmp_path / name).write_text(json.dumps(doc))
        r = load_file(tmp_path / name)
        assert r.format == "json-body" and r.exchanges[0].response.body == doc and r.exchanges[0].endpoint == endpoint


def test_json_array_of_events_is_a_stream(tmp_path):
    events = [{"type": "response.created", "sequence_number": 0}, {"type": "response.completed", "sequence_number": 1}]
    r = load_text(json.dumps(events), "<stdin>")
    ex = r.exchanges[0]
    assert r.format == "json-body"
    assert [e.type for e in ex.response.events] == ["response.created", "response.completed"]
    assert "fragment" not in ex.meta and ex.source == "<stdin>"


def test_load_text_detects_sse_without_a_file_name():
    r = load_text(':HTTP_STATUS/200\nid:1\nevent:response.created\ndata:{"type":"response.created"}\n\n', "<stdin>")
    assert r.format == "sse" and r.exchanges[0].response.events[0].id == "1"


def test_load_path_walks_folders_sorted_and_skips_notes(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.json").write_text('{"object": "response"}')
    (tmp_path / "a.json").write_text('{"object": "response"}')
    (tmp_path / "README.md").write_text("# notes")
    (tmp_path / "PROVENANCE.md").write_text("# where from")
    assert [Path(r.path).relative_to(tmp_path).as_posix() for r in load_path(tmp_path)] == ["a.json", "b/z.json"]


# --- malformed files: an error, never an exception --------------------------------------------------

_HAR_NO_ENTRIES = '{"log": {"version": "1.2"}}'
_HAR_NO_URL = '{"log": {"entries": [{"request": {"method": "GET"}, "response": {"status": 200, "content": {}}}]}}'


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("truncated.yaml", b"interactions:\n- request:\n    uri: 'https://h/v1/resp", "YAML syntax error"),
        ("syntax.json", b'{"id": "resp_1", "object": "response",,}', "JSON syntax error"),
        ("empty.json", b"", "empty file"),
        ("blank.yaml", b"  \n\n", "empty file"),
        ("random.bin", bytes(range(256)) * 4, "not UTF-8"),
        ("nul.txt", b"abc\0def", "binary content"),
        ("bad.gz", b"\x1f\x8b\x08\x00garbage", "corrupt gzip"),
        ("no_entries.har", _HAR_NO_ENTRIES.encode(), "HAR: log has no `entries`"),
        ("no_url.har", _HAR_NO_URL.encode(), "HAR: entry 0.request has no `url`"),
        ("profile.yaml", b"name: acme\nbase_urls: []\n", "unknown format"),
        ("scalar.json", b"42", "unknown format"),
        ("prose.txt", b"just some words", "unknown format"),
        ("vcr_bad.yaml", b"interactions: 5\n", "`interactions` is not a list"),
        ("vcr_no_request.yaml", b"interactions:\n- response: {}\n", "interaction 0 has no `request`"),
    ],
)
def test_malformed_file_gives_an_error_and_no_exchanges(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    r = load_file(path)
    assert r.error is not None and message in r.error, r.error
    assert r.exchanges == []


def test_missing_file_is_an_error_not_an_exception(tmp_path):
    assert "cannot read file" in load_file(tmp_path / "nope.yaml").error


def test_gzipped_recording_is_read_through(tmp_path):
    r = load_bytes(gzip.compress((FIXTURES / "own_cassette.yaml").read_bytes()), "cassette.yaml.gz")
    assert r.format == "vcr-yaml" and r.exchanges[0].meta["respcompat"]["case"] == "text.string_input"


def test_har_content_with_invalid_base64_is_an_error(tmp_path):
    har = {
        "log": {
            "entries": [
                {
                    "request": {"method": "GET", "url": "https://h/v1/responses/r"},
                    "response": {"status": 200, "content": {"text": "%%%", "encoding": "base64"}},
                }
            ]
        }
    }
    r = load_text(json.dumps(har), "x.har")
    assert r.error and "base64" in r.error


def test_realworld_dir_honours_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("RESPCOMPAT_REALWORLD", str(tmp_path))
    assert realworld_dir() == tmp_path
    monkeypatch.setenv("RESPCOMPAT_REALWORLD", os.fspath(tmp_path / "absent"))
    assert realworld_dir() is None


def test_event_lines_holding_several_streams_become_one_exchange_per_response():
    from respcompat.importers import load_text

    lines = [
        '{"type":"response.created","sequence_number":0,"response":{"id":"resp_a"}}',
        '{"type":"response.completed","sequence_number":1,"response":{"id":"resp_a"}}',
        '{"type":"response.created","sequence_number":0,"response":{"id":"resp_b"}}',
        '{"type":"response.completed","sequence_number":1,"response":{"id":"resp_b"}}',
    ]
    result = load_text("\n".join(lines) + "\n", "steps.chunks.txt")
    assert result.error is None
    assert [x.index for x in result.exchanges] == [0, 1]
    assert [[e.index for e in x.response.events] for x in result.exchanges] == [[0, 1], [0, 1]]
    assert result.exchanges[1].response.events[0].data["response"]["id"] == "resp_b"


def test_documentation_excerpt_cassettes_are_marked_as_fragments():
    from respcompat.importers import load_text

    text = (
        "respcompat:\n  provenance: {kind: documentation, page: X, excerpt: true}\n"
        "interactions:\n- request: {method: POST, uri: 'https://h/v1/responses', body: '{}', headers: {}}\n"
        "  response: {status: {code: 200, message: OK}, headers: {}, body: {string: '{}'}}\nversion: 1\n"
    )
    [ex] = load_text(text, "x.yaml").exchanges
    assert ex.meta["fragment"] is True


def test_our_cassettes_marks_of_infrastructure_errors_become_infra_errors_not_answers() -> None:
    """A stand-in for no answer (599 + x-respcompat-no-answer) and an answer cut mid-way (x-respcompat-infra-error)."""
    from respcompat.engine import judge_exchanges
    from respcompat.importers import load_text

    req = {"method": "POST", "uri": "http://127.0.0.1:1/v1/responses", "body": '{"model": "m", "input": "hi"}'}
    cut_stream = 'event: response.created\ndata: {"type":"response.created"}\n\n'
    doc = {
        "interactions": [
            {
                "request": req,
                "response": {
                    "status": {"code": 599},
                    "headers": {"x-respcompat-no-answer": ["ReadTimeout: timed out"]},
                    "body": {"string": ""},
                },
            },
            {
                "request": req,
                "response": {
                    "status": {"code": 200},
                    "headers": {
                        "content-type": ["text/event-stream"],
                        "x-respcompat-infra-error": ["connection dropped after 1 event"],
                    },
                    "body": {"string": cut_stream},
                },
            },
            {"request": req, "response": {"status": {"code": 599}, "headers": {}, "body": {"string": ""}}},
        ]
    }
    result = load_text(yaml.safe_dump(doc), "c.yaml")
    a, b, c = result.exchanges
    assert a.response is None and a.meta["infra_error"] == "no answer: ReadTimeout: timed out"
    assert b.meta["infra_error"] == "answer cut: connection dropped after 1 event"
    assert "x-respcompat-infra-error" not in b.response.headers
    assert "infra_error" not in c.meta and c.response.status == 599  # a 599 without our mark is the server's answer
    findings = judge_exchanges(result.exchanges, "openai").findings
    assert findings and {f.exchange for f in findings} == {2}  # only the server's own answer is judged
