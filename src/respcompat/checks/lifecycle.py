"""Stream envelope checks: parse, first event, terminal event, sequence numbers, event names, response id."""

from __future__ import annotations

from collections.abc import Iterator

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import TERMINAL_TYPES, finding, is_int, is_resumed, payloads, resumed_after, say

_OPENING = ("response.created", "response.queued", "response.in_progress")


@check("stream.parse", description="every data payload parses as JSON (the [DONE] sentinel aside)", applies_to="stream")
def parse(exchange: Exchange, ctx) -> Iterator[Finding]:
    for e in exchange.response.events:
        if e.done:
            continue
        if e.parse_error is not None or not isinstance(e.data, dict):
            yield finding(
                "stream.parse",
                "",
                "event data is not a JSON object",
                expected="a JSON object",
                actual=(e.raw or "")[:200],
                event=e.index,
                error=e.parse_error,
            )


@check(
    "stream.first_event",
    description="first event is response.created, then response.in_progress",
    applies_to="stream",
    whole_stream=True,
)
def first_event(exchange: Exchange, ctx) -> Iterator[Finding]:
    events = payloads(exchange)
    if not events:
        return
    if is_resumed(exchange):
        return  # a stream resumed with starting_after legitimately begins mid-way
    if events[0].type != "response.created":
        yield finding(
            "stream.first_event",
            "/type",
            "the first event must be response.created",
            expected="response.created",
            actual=events[0].type,
            event=events[0].index,
        )
    created = [e for e in events if e.type == "response.created"]
    for e in created[1:]:
        yield finding(
            "stream.first_event",
            "/type",
            "response.created sent more than once",
            expected="one response.created",
            actual=e.type,
            event=e.index,
        )
    # OpenAI announces in_progress before any output; queued only precedes it (background mode).
    first_output = next((e for e in events if "output_index" in e.data), None)
    in_progress = next((e for e in events if e.type == "response.in_progress"), None)
    if first_output is not None and (in_progress is None or in_progress.index > first_output.index):
        yield finding(
            "stream.first_event",
            "/type",
            "response.in_progress must precede the first output event",
            expected="response.in_progress",
            actual=first_output.type,
            event=first_output.index,
        )
    for e in events:
        if e.type == "response.queued" and in_progress is not None and e.index > in_progress.index:
            yield finding(
                "stream.first_event",
                "/type",
                "response.queued after response.in_progress",
                expected="response.queued before response.in_progress",
                actual=e.type,
                event=e.index,
            )


@check(
    "stream.terminal_event",
    description="exactly one terminal event, and it is last",
    applies_to="stream",
    whole_stream=True,
)
def terminal_event(exchange: Exchange, ctx) -> Iterator[Finding]:
    events = payloads(exchange)
    if not events:
        yield finding("stream.terminal_event", "", "the stream has no events", expected="a terminal event", actual=None)
        return
    terminals = [e for e in events if e.type in TERMINAL_TYPES]
    last = events[-1]
    if not terminals:
        # OpenAI may end a stream with a bare `error` event; anything else is a cut-off stream.
        if last.type != "error":
            yield finding(
                "stream.terminal_event",
                "",
                "the stream ends without a terminal event (truncated?)",
                expected=list(TERMINAL_TYPES),
                actual=last.type,
                event=last.index,
            )
        return
    for e in terminals[1:]:
        yield finding(
            "stream.terminal_event",
            "/type",
            "more than one terminal event",
            expected="exactly one terminal event",
            actual=e.type,
            event=e.index,
            first_terminal=terminals[0].index,
        )
    first = terminals[0]
    for e in events:
        if e.index > first.index and e.type not in TERMINAL_TYPES:
            yield finding(
                "stream.terminal_event",
                "/type",
                f"event after the terminal {first.type}",
                expected="no event after the terminal event",
                actual=e.type,
                event=e.index,
            )
    # OpenAI's pattern: `error` then `response.failed`, nothing else after the error. The first break of it is
    # the finding; what follows (more errors, more events) is the same problem.
    for e, nxt in zip(events, events[1:]):
        if e.type == "error" and nxt.type != "response.failed":
            yield finding(
                "stream.terminal_event",
                "/type",
                "only response.failed may follow an error event",
                expected="response.failed",
                actual=nxt.type,
                event=nxt.index,
            )
            break


@check(
    "stream.sequence_number",
    description="sequence_number present, starts at 0, strictly increasing by 1",
    applies_to="stream",
    whole_stream=True,
)
def sequence_number(exchange: Exchange, ctx) -> Iterator[Finding]:
    events = payloads(exchange)
    if not events:
        return
    if all("sequence_number" not in e.data for e in events):
        yield finding(
            "stream.sequence_number",
            "/sequence_number",
            "no event carries a sequence_number",
            expected="an integer on every event",
            actual=None,
            event=events[0].index,
        )
        return
    after = resumed_after(exchange)
    expected = (after + 1) if after is not None and after >= 0 else 0
    for i, e in enumerate(events):
        seq = e.data.get("sequence_number")
        if seq == expected and is_int(seq):
            expected += 1
            continue
        if not is_int(seq):
            yield finding(
                "stream.sequence_number",
                "/sequence_number",
                "sequence_number missing or not an integer",
                expected=expected,
                actual=seq,
                event=e.index,
            )
        else:
            yield finding(
                "stream.sequence_number",
                "/sequence_number",
                "sequence_number must start at 0 and increase by exactly 1",
                expected=expected,
                actual=seq,
                event=e.index,
            )
        # One bad number gives one finding: if the next event continues the count, this one alone was wrong;
        # otherwise events were dropped or inserted and the count resumes from here.
        nxt = events[i + 1].data.get("sequence_number") if i + 1 < len(events) else None
        expected = expected + 1 if nxt == expected + 1 or not is_int(seq) else seq + 1


@check("stream.event_name", description="the SSE event: line equals data.type", applies_to="stream")
def event_name(exchange: Exchange, ctx) -> Iterator[Finding]:
    for e in payloads(exchange):
        if e.event is not None and e.event != e.type:
            yield finding(
                "stream.event_name",
                "/type",
                "the SSE event: line differs from data.type",
                expected=e.event,
                actual=e.type,
                event=e.index,
            )


@check(
    "stream.response_id",
    description="every lifecycle event carries the response.created id",
    applies_to="stream",
    whole_stream=True,
)
def response_id(exchange: Exchange, ctx) -> Iterator[Finding]:
    first_id = None
    for e in payloads(exchange):
        resp = e.data.get("response")
        if not isinstance(resp, dict):
            continue
        if first_id is None:
            first_id = resp.get("id")
            continue
        if resp.get("id") != first_id:
            yield finding(
                "stream.response_id",
                "/response/id",
                f"{say(e.type)} carries another response id",
                expected=first_id,
                actual=resp.get("id"),
                event=e.index,
            )
