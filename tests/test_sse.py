"""The SSE parser follows the WHATWG event-stream rules and survives any split of the stream across reads."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from respcompat.sse import TRUNCATED, SSEParser, parse_jsonl_events, parse_sse

CREATED = '{"type":"response.created","sequence_number":0}'
DELTA = '{"type":"response.output_text.delta","delta":"h\\u00e9"}'
SAMPLE = (
    "\ufeffid: 1\r\nevent: response.created\r\n:HTTP_STATUS/200\r\ndata:" + CREATED + "\r\n\r\n"
    "event: response.output_text.delta\ndata: " + DELTA + "\n\n"
    'data: {"type":"x",\r\ndata: "text":"日本語 ✓"}\r\r'
    "data: [DONE]\n\n"
)


def _shape(events):
    return [(e.index, e.data, e.raw, e.event, e.id, e.parse_error, e.done) for e in events]


def test_data_with_and_without_space_both_parse_and_are_counted():
    events, framing = parse_sse(f"data:{CREATED}\n\ndata: {CREATED}\n\n")
    assert [e.data["type"] for e in events] == ["response.created", "response.created"]
    assert (framing.data_without_space, framing.data_with_space) == (1, 1)


def test_only_one_leading_space_is_stripped_from_a_value():
    events, _ = parse_sse('data:   "x"\n\n')
    assert events[0].raw == '  "x"' and events[0].data == "x"


def test_comment_lines_are_recorded_and_not_dispatched():
    events, framing = parse_sse(f":HTTP_STATUS/200\n: OPENROUTER PROCESSING\n\ndata: {CREATED}\n\n")
    assert len(events) == 1 and events[0].index == 0
    assert framing.comments == ["HTTP_STATUS/200", "OPENROUTER PROCESSING"]


def test_crlf_line_endings_parse_and_are_flagged():
    events, framing = parse_sse(f"event: response.created\r\ndata: {CREATED}\r\n\r\n")
    assert events[0].event == "response.created" and events[0].data["sequence_number"] == 0
    assert framing.crlf is True


def test_cr_only_line_endings_parse():
    events, framing = parse_sse(f"event: a\rdata: {CREATED}\r\rdata: {CREATED}\r\r")
    assert [e.event for e in events] == ["a", None]
    assert framing.crlf is False and not framing.unterminated_tail


def test_multi_line_data_is_joined_with_newline():
    events, _ = parse_sse('data: {"a":\ndata: 1}\n\n')
    assert events[0].raw == '{"a":\n1}' and events[0].data == {"a": 1}


def test_id_persists_and_event_type_resets_between_events():
    events, framing = parse_sse(f"id: 7\nevent: response.created\ndata: {CREATED}\n\ndata: {CREATED}\n\n")
    assert [(e.id, e.event) for e in events] == [("7", "response.created"), ("7", None)]
    assert (framing.id_lines, framing.event_lines) == (1, 1)


def test_retry_and_unknown_fields_do_not_change_the_data():
    events, framing = parse_sse(f"retry: 3000\nfoo: bar\ndata: {CREATED}\n\n")
    assert events[0].data["type"] == "response.created" and framing.retry_lines == 1


def test_a_leading_bom_is_stripped_once():
    events, _ = parse_sse(("\ufeff" + f"data: {CREATED}\n\n").encode("utf-8"))
    assert events[0].data["type"] == "response.created"


def test_done_sentinel_is_an_event_not_a_parse_error():
    events, framing = parse_sse(f"data: {CREATED}\n\ndata: [DONE]\n\n")
    assert events[1].done and events[1].parse_error is None and events[1].index == 1
    assert framing.done_sentinel


def test_non_json_data_keeps_raw_text_and_sets_parse_error():
    events, _ = parse_sse("data: hello world\n\n")
    assert events[0].data is None and events[0].raw == "hello world"
    assert "not JSON" in events[0].parse_error


def test_block_without_data_is_not_dispatched():
    events, _ = parse_sse(f"event: ping\n\ndata: {CREATED}\n\n")
    assert len(events) == 1 and events[0].event is None


def test_truncated_tail_is_reported_not_dropped():
    events, framing = parse_sse(f'data: {CREATED}\n\nevent: response.completed\ndata: {{"type":"resp')
    assert framing.unterminated_tail
    assert len(events) == 2 and events[1].event == "response.completed"
    assert events[1].parse_error.startswith(TRUNCATED) and events[1].raw == '{"type":"resp'


def test_complete_json_missing_its_final_blank_line_keeps_data_but_flags_truncation():
    events, framing = parse_sse(f"data: {CREATED}\n")
    assert framing.unterminated_tail and events[0].data["type"] == "response.created"
    assert events[0].parse_error == TRUNCATED


def test_trailing_comment_is_not_an_unterminated_tail():
    _, framing = parse_sse(f"data: {CREATED}\n\n: bye\n")
    assert not framing.unterminated_tail


def test_every_single_split_point_gives_the_one_shot_result():
    data = SAMPLE.encode("utf-8")
    whole_events, whole_framing = parse_sse(data)
    assert len(whole_events) == 4 and whole_events[2].data == {"type": "x", "text": "日本語 ✓"}
    for cut in range(len(data) + 1):
        p = SSEParser()
        p.feed(data[:cut])
        p.feed(data[cut:])
        p.close()
        assert _shape(p.events) == _shape(whole_events), cut
        assert p.framing == whole_framing, cut


def test_multibyte_character_split_across_reads_survives():
    data = 'data: {"delta":"✓"}\n\n'.encode()
    cut = data.index("✓".encode()) + 1  # inside the 3-byte sequence
    p = SSEParser()
    assert p.feed(data[:cut]) == []
    assert p.feed(data[cut:])[0].data == {"delta": "✓"}


def test_feed_returns_events_as_soon_as_their_blank_line_arrives():
    p = SSEParser()
    assert p.feed(f"data: {CREATED}\n") == []
    assert [e.index for e in p.feed("\ndata: 1")] == [0]
    assert [e.parse_error for e in p.close()] == [TRUNCATED]


def test_jsonl_events_one_per_line_with_kind_jsonl():
    events, framing = parse_jsonl_events(f"{CREATED}\r\n\n{DELTA}\nnot json\n")
    assert [e.type for e in events] == ["response.created", "response.output_text.delta", None]
    assert events[2].parse_error and framing.kind == "jsonl" and events[2].index == 2


# A value never starts with a space we would strip, and holds no line break, so each event round-trips.
_value = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\0"), max_size=12).filter(
    lambda s: not s.startswith(" ")
)
_event = st.fixed_dictionaries(
    {
        "event": st.none() | _value.filter(bool),
        "id": st.none() | _value,
        "comment": st.none() | _value,
        "data": st.lists(
            st.one_of(_value, st.builds(json.dumps, st.dictionaries(_value, st.integers()))), min_size=1, max_size=3
        ),
        "space": st.booleans(),
    }
)


def _serialize(events, eol):
    out = []
    for ev in events:
        if ev["comment"] is not None:
            out.append(":" + ev["comment"])
        if ev["id"] is not None:
            out.append("id:" + ev["id"])
        if ev["event"] is not None:
            out.append("event: " + ev["event"])
        out.extend(("data: " if ev["space"] else "data:") + d for d in ev["data"])
        out.append("")
    return (eol.join(out) + eol).encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(st.lists(_event, max_size=6), st.sampled_from(["\n", "\r\n", "\r"]), st.data())
def test_any_split_of_a_serialized_stream_parses_like_the_whole(events, eol, data):
    wire = _serialize(events, eol)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=8)))
    p = SSEParser()
    for a, b in zip([0, *cuts], [*cuts, len(wire)]):
        p.feed(wire[a:b])
    p.close()
    whole, framing = parse_sse(wire)
    assert _shape(p.events) == _shape(whole) and p.framing == framing
    assert ["\n".join(ev["data"]) for ev in events] == [e.raw for e in whole]
    assert not framing.unterminated_tail
