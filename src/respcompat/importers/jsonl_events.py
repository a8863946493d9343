"""One JSON event per line with the SSE framing stripped (vercel-ai `.chunks.txt`): exchanges, response only."""

from __future__ import annotations

import dataclasses

from ..exchange import RAW_PREFIX, Event, Exchange, Response
from ..sse import parse_jsonl_events
from ._http import FormatError

FORMAT = "jsonl-events"


def _split_at_created(events: list[Event]) -> list[list[Event]]:
    """Such files concatenate the streams of a multi-step run: one stream per `response.created`."""
    starts = [i for i, e in enumerate(events) if e.type == "response.created"]
    if len(starts) < 2:
        return [events]
    if starts[0] != 0:
        starts.insert(0, 0)
    return [
        [dataclasses.replace(e, index=i) for i, e in enumerate(events[a:b])]
        for a, b in zip(starts, starts[1:] + [len(events)])
    ]


def to_exchanges(text: str, source: str) -> list[Exchange]:
    events, framing = parse_jsonl_events(text, keep_raw=False)
    if not any(e.type and (e.type.startswith("response.") or e.type == "error") for e in events):
        raise FormatError("unknown format: JSON lines, none of them a Responses API event")
    streams = _split_at_created(events)
    one = len(streams) == 1
    raw = text[:RAW_PREFIX] if one else None
    return [
        Exchange(
            None,
            Response(status=None, raw_body=raw, events=part, framing=dataclasses.replace(framing)),
            index=n,
            source=source,
            label="event lines" if one else f"event lines, stream {n + 1}",
        )
        for n, part in enumerate(streams)
    ]
