"""Accumulation: deltas add up to done events, parts, items and the terminal output."""

import dataclasses

from planted.traffic import build, judge, load_base

from respcompat.checks import CheckContext, run_checks

E = "/response/events"


def test_clean_streams_accumulate_consistently():
    for base in ("text_stream", "function_call_stream", "reasoning_stream", "error_stream"):
        for cid in (
            "accumulate.output_text",
            "accumulate.function_call_arguments",
            "accumulate.reasoning",
            "accumulate.output",
        ):
            assert judge(base, cid) == [], (base, cid)


def test_delta_text_must_add_up_to_done_text():
    [f] = judge(
        "text_stream", "accumulate.output_text", [{"op": "replace", "path": f"{E}/5/data/delta", "value": ", world"}]
    )
    assert (f.event, f.pointer, f.expected, f.actual) == (8, "/text", "Hello, world suite!", "Hello, test suite!")


def test_terminal_output_text_must_equal_the_streamed_text():
    [f] = judge(
        "text_stream",
        "accumulate.output_text",
        [{"op": "replace", "path": f"{E}/11/data/response/output/0/content/0/text", "value": "Hi"}],
    )
    assert (f.event, f.pointer, f.actual) == (11, "/response/output/0/content/0/text", "Hi")


def test_argument_deltas_must_add_up_to_arguments_done():
    findings = judge(
        "function_call_stream",
        "accumulate.function_call_arguments",
        [{"op": "replace", "path": f"{E}/6/data/arguments", "value": "{}"}],
    )
    # The done event is the reference, so the item and the terminal output disagree with it too.
    assert [(f.event, f.pointer) for f in findings] == [
        (6, "/arguments"),
        (7, "/item/arguments"),
        (8, "/response/output/0/arguments"),
    ]


def test_reasoning_summary_deltas_must_add_up_to_the_item_summary():
    [f] = judge(
        "reasoning_stream",
        "accumulate.reasoning",
        [{"op": "replace", "path": f"{E}/9/data/item/summary/0/text", "value": "x"}],
    )
    assert (f.event, f.pointer) == (9, "/item/summary/0/text")


def test_reasoning_text_deltas_are_accumulated_like_output_text():
    xs = build(load_base("text_stream"), "t")
    for e in xs[0].response.events:  # the same stream, as reasoning_text content (gpt-oss style)
        d = e.data
        d["type"] = d["type"].replace("output_text", "reasoning_text")
        e.event = d["type"]
        for part in [d.get("part")] + [c for c in ((d.get("item") or {}).get("content") or [])]:
            if isinstance(part, dict):
                part["type"] = "reasoning_text"
    xs[0].response.events[7].data["delta"] = "?"
    # An event reads its type once, when made: events whose data was rewritten are made again.
    xs[0].response.events = [dataclasses.replace(e) for e in xs[0].response.events]
    findings = run_checks(xs[0], CheckContext(None, None, xs), only=["accumulate.reasoning"])
    assert findings and findings[0].event == 8


def test_terminal_output_must_hold_every_streamed_item():
    [f] = judge(
        "function_call_stream",
        "accumulate.output",
        [{"op": "replace", "path": f"{E}/8/data/response/output", "value": []}],
    )
    assert (f.event, f.pointer) == (8, "/response/output/0")


def test_terminal_output_is_required_on_completed():
    [f] = judge("text_stream", "accumulate.output", [{"op": "remove", "path": f"{E}/11/data/response/output"}])
    assert f.pointer == "/response/output"


def test_reencrypted_reasoning_is_not_a_divergence():
    ops = [
        {"op": "insert", "path": f"{E}/9/data/item/encrypted_content", "value": "gAAAA-one"},
        {"op": "insert", "path": f"{E}/17/data/response/output/0/encrypted_content", "value": "gAAAA-two"},
    ]
    assert judge("reasoning_stream", "accumulate.output", ops) == []


def test_terminal_item_field_must_equal_output_item_done():
    [f] = judge(
        "function_call_stream",
        "accumulate.output",
        [{"op": "replace", "path": f"{E}/8/data/response/output/0/status", "value": "incomplete"}],
    )
    assert (f.pointer, f.expected, f.actual) == ("/response/output/0/status", "completed", "incomplete")
