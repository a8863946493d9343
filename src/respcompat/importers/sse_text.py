"""A raw event stream saved as text (`.sse`, `.sse.txt`): one exchange, response only."""

from __future__ import annotations

import codecs
from collections.abc import Iterable

from ..exchange import RAW_PREFIX, Exchange, Response
from ..sse import SSEParser

FORMAT = "sse"


def to_exchanges(text: str, source: str) -> list[Exchange]:
    return from_chunks([text], source)


def from_chunks(chunks: Iterable[str | bytes], source: str) -> list[Exchange]:
    """Parse a stream as it is read: only the events and the first RAW_PREFIX characters of the text are kept."""
    parser = SSEParser(keep_raw=False)
    prefix: list[str] = []
    kept = 0
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    for chunk in chunks:
        if kept < RAW_PREFIX:
            part = decoder.decode(chunk) if isinstance(chunk, bytes) else chunk
            prefix.append(part[: RAW_PREFIX - kept])
            kept += len(prefix[-1])
        parser.feed(chunk)
    parser.close()
    raw = "".join(prefix)
    response = Response(
        status=None,
        headers={"content-type": "text/event-stream"},
        raw_body=raw[1:] if raw.startswith("\ufeff") else raw,
        events=parser.events,
        framing=parser.framing,
    )
    return [Exchange(None, response, index=0, source=source, label="event stream")]
