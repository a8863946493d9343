"""A raw event stream saved as text (`.sse`, `.sse.txt`): one exchange, response only."""

from __future__ import annotations

from ..exchange import Exchange, Response
from ..sse import parse_sse

FORMAT = "sse"


def to_exchanges(text: str, source: str) -> list[Exchange]:
    events, framing = parse_sse(text)
    response = Response(status=None, headers={"content-type": "text/event-stream"}, raw_body=text,
                        events=events, framing=framing)
    return [Exchange(None, response, index=0, source=source, label="event stream")]
