"""Fuzzing the input side: any bytes, text or JSON into the SSE parser and every importer ends in exchanges or a
clear read error, never an exception and never an importer crash. Budget from the Hypothesis profile (conftest.py).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from respcompat.exchange import Event
from respcompat.importers import ImportResult, load_file, load_text
from respcompat.sse import SSEParser, parse_jsonl_events, parse_sse

EXTENSIONS = [".sse", ".sse.txt", ".json", ".yaml", ".yml", ".har", ".jsonl", ".chunks.txt", ".txt", ""]
# A heavier example (a file written per example) gets a quarter of the profile's budget.
HEAVY = settings(max_examples=max(settings.default.max_examples // 4, 20), suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)
# Keys and values that steer the importers' format detection, so generated documents reach every importer.
_keys = st.sampled_from(
    [
        "interactions",
        "request",
        "response",
        "body",
        "string",
        "parsed_body",
        "log",
        "entries",
        "content",
        "text",
        "encoding",
        "Entries",
        "RequestUri",
        "ResponseBody",
        "StatusCode",
        "headers",
        "status",
        "code",
        "type",
        "object",
        "output",
        "error",
        "data",
        "paths",
        "responses",
        "examples",
        "value",
        "uri",
        "method",
        "sequence_number",
        "postData",
    ]
)
_values = st.sampled_from(
    [
        "response",
        "response.created",
        "response.completed",
        "error",
        "chat.completion",
        "text/event-stream",
        "base64",
        "data: {}\n\n",
        "POST",
        "https://h/v1/responses",
        200,
    ]
)
shaped_json = st.recursive(
    st.none() | st.integers(-1, 600) | st.text(max_size=12) | _values,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=6),
    max_leaves=40,
)
sse_lines = st.lists(
    st.sampled_from(
        [
            'data: {"type":"response.created","sequence_number":0}',
            "data: [DONE]",
            "data: {",
            "data:",
            "event: x",
            "id: 1",
            "retry: 5",
            ": comment",
            "",
            "data: 1",
            "\r",
            'data: "\\ud800"',
            "bogus: line",
        ]
    )
    | st.text(max_size=30),
    max_size=30,
).map("\n".join)


def assert_clean(result: ImportResult) -> None:
    """Exchanges, or an error a person can act on, never both and never an importer bug."""
    assert isinstance(result, ImportResult)
    if result.error is None:
        assert result.exchanges, "no error and no exchange"
        assert result.format is not None
    else:
        assert result.exchanges == []
        assert isinstance(result.error, str) and result.error.strip()
        assert not result.error.startswith("importer crashed"), result.error


def assert_events(events: list[Event]) -> None:
    for i, e in enumerate(events):
        assert e.index == i
        assert e.done or e.parse_error is not None or e.data is not None or e.raw.strip() == "null"


@given(st.binary(max_size=2000))
@example(b"data: \xff\xfe{}\n\n")
@example(b"data: " + b"[" * 5000 + b"\n\n")
def test_any_bytes_parse_as_sse_without_raising(data):
    events, framing = parse_sse(data)
    assert_events(events)
    assert framing.invalid_utf8 >= 0


@given(st.binary(max_size=1000), st.lists(st.integers(0, 1000), max_size=6))
def test_bytes_fed_in_any_chunks_count_the_same_invalid_utf8_as_whole(data, cuts):
    parser = SSEParser()
    bounds = sorted(c for c in cuts if c <= len(data))
    for a, b in zip([0, *bounds], [*bounds, len(data)]):
        parser.feed(data[a:b])
    parser.close()
    _, whole = parse_sse(data)
    assert parser.framing.invalid_utf8 == whole.invalid_utf8
    assert whole.invalid_utf8 == data.decode("utf-8", "replace").count("\ufffd") - data.count(b"\xef\xbf\xbd")


@given(st.text(max_size=2000) | sse_lines)
def test_any_text_parses_as_sse_and_as_event_lines_without_raising(text):
    events, _ = parse_sse(text)
    assert_events(events)
    events, _ = parse_jsonl_events(text)
    assert_events(events)


@given(st.text(max_size=1500) | sse_lines, st.sampled_from(EXTENSIONS))
@example("[1,2]", ".json")
@example("a: &a [*a]", ".yaml")
@example("- " * 3000 + "x", ".yaml")
@example("a: " + "1" * 5000, ".yaml")  # an int Python refuses to build
@example("1" * 5000, ".json")
def test_any_text_under_any_name_imports_or_is_a_clear_error(text, ext):
    assert_clean(load_text(text, f"fuzz{ext}"))


@given(json_values | shaped_json, st.sampled_from([".json", ".yaml", ".har", ".txt"]))
def test_any_json_document_imports_or_is_a_clear_error(doc, ext):
    assert_clean(load_text(json.dumps(doc), f"doc{ext}"))


@given(shaped_json, st.sampled_from(["string", "parsed_body", "bytes"]))
def test_any_body_inside_a_cassette_imports_or_is_a_clear_error(body, where):
    if where == "bytes":
        body, where = json.dumps(body).encode("utf-8", "surrogatepass"), "string"
    rec = {
        "status": {"code": 200},
        "headers": {"content-type": ["text/event-stream"]},
        "body": {"string": body} if where == "string" else None,
    }
    if where == "parsed_body":
        rec["parsed_body"] = body
    cassette = {
        "interactions": [
            {"request": {"method": "POST", "uri": "https://h/v1/responses", "body": None}, "response": rec}
        ],
        "version": 1,
    }
    import yaml

    assert_clean(load_text(yaml.safe_dump(cassette, allow_unicode=False), "c.yaml"))


@given(shaped_json)
def test_any_har_or_test_proxy_entry_imports_or_is_a_clear_error(entry):
    assert_clean(load_text(json.dumps({"log": {"entries": [entry]}}), "x.har"))
    assert_clean(load_text(json.dumps({"Entries": [entry]}), "x.json"))


@given(st.integers(1, 1200), st.sampled_from(["[", '{"a":']), st.sampled_from([".json", ".sse", ".yaml"]))
def test_deep_nesting_is_a_clear_error_or_kept_as_a_body_error(depth, opener, ext):
    closer = "]" if opener == "[" else "}"
    doc = opener * depth + "1" + closer * depth
    text = f"data: {doc}\n\n" if ext == ".sse" else doc
    result = load_text(text, f"deep{ext}")
    assert_clean(result)
    if depth > 100 and ext == ".json":
        assert "nested deeper than 100" in result.error


@HEAVY
@given(
    st.binary(max_size=3000) | (sse_lines.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.sampled_from(EXTENSIONS + [".yaml.gz"]),
)
def test_any_file_of_any_extension_loads_or_is_a_clear_error(data, ext):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{ext}"
        path.write_bytes(data)
        assert_clean(load_file(path))
