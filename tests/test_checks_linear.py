"""Every check is linear in the number of events: 100k adversarial events go through the engine, not a hang.

Each stream is the clean text_stream with one kind of adversarial event repeated N times. No timing assertion
(performance lives in benchmarks/); a generous alarm only turns a hang into a failure. The findings must stay
few: one problem repeated N times is one problem, whatever the engine does to merge findings.
"""

from __future__ import annotations

import copy
import signal

import pytest
from planted.traffic import build, load_base

from respcompat.engine import judge_exchanges

N = 100_000
ITEM = "msg_68a1f1a1c2d3819fb0a1b2c3d4e5f607"


def _event(data: dict) -> dict:
    return {"event": data["type"], "data": data}


def adversarial(kind: str, n: int):
    """text_stream with `n` adversarial events of one kind, sequence numbers renumbered unless they are the point."""
    raw = copy.deepcopy(load_base("text_stream"))
    events = raw["exchanges"][0]["response"]["events"]
    head, tail, extra, renumber = events[:-1], events[-1:], [], True
    if kind == "done_sentinels":
        tail = tail + [{"done": True}] * n
    elif kind == "error_events":
        extra = [_event({"type": "error", "code": "server_error", "message": "boom", "param": None})] * n
    elif kind == "deltas_without_item":
        extra = [
            _event(
                {
                    "type": "response.output_text.delta",
                    "item_id": "msg_x",
                    "output_index": 7,
                    "content_index": 0,
                    "delta": "x",
                    "logprobs": [],
                }
            )
            for _ in range(n)
        ]
    elif kind == "items_never_done":
        extra = [
            _event(
                {
                    "type": "response.output_item.added",
                    "output_index": i + 1,
                    "item": {
                        "id": f"msg_{i}",
                        "type": "message",
                        "status": "in_progress",
                        "content": [],
                        "role": "assistant",
                    },
                }
            )
            for i in range(n)
        ]
    elif kind == "duplicated_sequence_numbers":
        dup = _event(
            {
                "type": "response.output_text.delta",
                "item_id": ITEM,
                "output_index": 0,
                "content_index": 0,
                "delta": "",
                "logprobs": [],
                "sequence_number": 5,
            }
        )
        head, renumber = head[:5] + [copy.deepcopy(dup) for _ in range(n)] + head[5:], False
    elif kind == "unknown_types":
        extra = [_event({"type": "response.vendor.ping", "note": "x"}) for _ in range(n)]
    else:
        raise ValueError(kind)
    events[:] = head + [copy.deepcopy(e) for e in extra] + tail
    if renumber:
        for i, e in enumerate(events):
            if "data" in e:
                e["data"]["sequence_number"] = i
    return build(raw, f"adversarial-{kind}")


# kind -> the checks that must report it (each with few findings, whatever else may fire).
KINDS = {
    "done_sentinels": {"stream.framing"},
    "error_events": {"stream.terminal_event"},
    "deltas_without_item": {"stream.item_lifecycle"},
    "items_never_done": {"stream.item_lifecycle"},
    "duplicated_sequence_numbers": {"stream.sequence_number"},
    "unknown_types": {"schema.event"},
}


@pytest.fixture
def hang_guard():
    def boom(signum, frame):
        raise TimeoutError("a check is not linear in the number of events (60 s alarm)")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _semantic_problems(findings) -> set[tuple]:
    """Distinct (check, pointer, message) of the findings: what the report shows once merged."""
    return {(f.check, f.pointer, f.message) for f in findings}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_adversarial_stream_is_judged_without_hang_and_reported_once(kind, hang_guard):
    xs = adversarial(kind, N)
    assert len(xs[0].response.events) > N
    outcome = judge_exchanges(xs, "openai")
    assert outcome.errors == []
    fired = {f.check for f in outcome.findings}
    assert KINDS[kind] <= fired, fired
    # One problem repeated N times is reported as a handful of problems, never one per event.
    problems = _semantic_problems(outcome.findings)
    assert len(problems) <= 5, sorted(problems)[:10]
    semantic = [f for f in outcome.findings if not f.check.startswith("schema.")]
    assert len(semantic) <= 5, [f.to_json() for f in semantic[:10]]


def test_small_adversarial_streams_give_the_same_problems_as_large_ones():
    # The bound above is not an artefact of size: 3 and 3000 repeats are the same problems at the same places
    # (a message may count them).
    for kind in sorted(KINDS):
        small = {(f.check, f.pointer, f.event) for f in judge_exchanges(adversarial(kind, 3), "openai").findings}
        large = {(f.check, f.pointer, f.event) for f in judge_exchanges(adversarial(kind, 3000), "openai").findings}
        if kind in ("done_sentinels", "items_never_done"):  # reported at the end of the stream, which moves
            small, large = {c[:2] for c in small}, {c[:2] for c in large}
        assert small == large, kind
