"""Completeness of a stream: text parts get their `output_text.done`, the terminal event agrees with the status it
reports, and the framing the profile declares (`event:` lines, `id:` lines, comments, `data: ` spacing) is there.

A check that needs an index the server did not send stands down: `stream.indexes` reports the missing index once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import finding, is_int, payloads, terminal

STREAM_DOC = "OpenAI API reference (streaming events)"
TERMINAL_STATUS = {"response.completed": "completed", "response.incomplete": "incomplete", "response.failed": "failed"}


@check(
    "stream.text_done",
    description="every output_text part gets its response.output_text.done",
    applies_to="stream",
    whole_stream=True,
)
def text_done(exchange: Exchange, ctx) -> Iterator[Finding]:
    opened: dict[tuple[int, int], int] = {}  # (output_index, content_index) -> event of content_part.added
    done: set[tuple[int, int]] = set()
    for e in payloads(exchange):
        d = e.data
        key = (d.get("output_index"), d.get("content_index"))
        if not (is_int(key[0]) and is_int(key[1])):
            continue  # no usable index: stream.indexes says so once
        part = d.get("part")
        if e.type == "response.content_part.added" and isinstance(part, dict) and part.get("type") == "output_text":
            opened.setdefault(key, e.index)
        elif e.type == "response.output_text.done":
            done.add(key)
    # An item whose text.done names a part never added has an index problem: stream.indexes's finding, not ours.
    stray = {oi for oi, ci in done if (oi, ci) not in opened}
    if not opened or terminal(exchange) is None:
        return  # a cut stream is judged by stream.terminal_event
    for key, at in opened.items():
        if key not in done and key[0] not in stray:
            yield finding(
                "stream.text_done",
                "",
                f"output_text part {key[1]} of item {key[0]} never got response.output_text.done",
                expected="response.output_text.done",
                actual="<missing>",
                event=at,
                source=STREAM_DOC,
            )


@check(
    "stream.terminal_status",
    description="the terminal event's type agrees with the status of the response it "
    "carries (response.completed: completed, ...)",
    applies_to="stream",
)
def terminal_status(exchange: Exchange, ctx) -> Iterator[Finding]:
    end = terminal(exchange)
    if end is None or not isinstance(end.data.get("response"), dict):
        return
    if any(e.type == "error" and e.index < end.index for e in payloads(exchange)):
        return  # after an error only response.failed may follow: stream.terminal_event owns that
    want, got = TERMINAL_STATUS.get(end.type or ""), end.data["response"].get("status", "<missing>")
    if got != want:
        yield finding(
            "stream.terminal_status",
            "/response/status",
            f"{end.type} carries a response whose status is {got!r}",
            expected=want,
            actual=got,
            event=end.index,
            source=STREAM_DOC,
        )


def _declared(provider: Any) -> tuple[dict[str, Any], str]:
    stream = getattr(provider, "stream", None)
    if stream is None and isinstance(provider, dict):
        stream = provider.get("stream")
    if not isinstance(stream, dict):
        return {}, "provider profile"
    name = getattr(provider, "name", None) or (provider.get("name") if isinstance(provider, dict) else None)
    return stream, f"providers/{name}.yaml stream ({stream.get('source') or 'no source'})"


@check(
    "stream.declared_framing",
    description="the SSE framing the profile declares present or absent "
    "(event:, id:, comment lines, `data: ` spacing) is what the stream uses",
    applies_to="stream",
)
def declared_framing(exchange: Exchange, ctx) -> Iterator[Finding]:
    fr = exchange.response.framing
    provenance = (exchange.meta.get("respcompat") or {}).get("provenance") or {}
    if fr is None or fr.kind != "sse" or provenance.get("framing") == "adapted":
        return  # the recorder (or a transcription) kept events, not their framing
    declared, source = _declared(getattr(ctx, "provider", None))
    events = [e for e in exchange.response.events or [] if not e.done]
    if not events or not declared:
        return
    observed = {
        "event_lines": (fr.event_lines, "`event:` lines"),
        "id_lines": (fr.id_lines, "`id:` lines"),
        "comment_lines": (len(fr.comments), "comment lines"),
        "data_space": (fr.data_with_space, "`data: ` with a space"),
    }
    for key, (count, what) in observed.items():
        policy = declared.get(key)
        if policy == "present" and count == 0:
            yield finding(
                "stream.declared_framing",
                "",
                f"the stream has no {what}; the profile declares them",
                expected="present",
                actual="absent",
                event=events[0].index,
                source=source,
                framing=key,
            )
        elif policy == "present" and key == "event_lines" and 0 < count < len(events):
            yield finding(
                "stream.declared_framing",
                "",
                f"only {count} of {len(events)} events have {what}",
                expected=len(events),
                actual=count,
                source=source,
                framing=key,
            )
        elif policy == "absent" and count > 0:
            yield finding(
                "stream.declared_framing",
                "",
                f"the stream has {what}; the profile declares none",
                expected="absent",
                actual=count,
                event=events[0].index,
                source=source,
                framing=key,
            )
