"""One JSON event per line with the SSE framing stripped (vercel-ai `.chunks.txt`): one exchange, response only."""

from __future__ import annotations

from ..exchange import Exchange, Response
from ..sse import parse_jsonl_events

FORMAT = "jsonl-events"


def to_exchanges(text: str, source: str) -> list[Exchange]:
    events, framing = parse_jsonl_events(text)
    response = Response(status=None, raw_body=text, events=events, framing=framing)
    return [Exchange(None, response, index=0, source=source, label="event lines")]
