"""Server-sent events: text or bytes -> `Event`s plus the `Framing` seen, following the WHATWG event-stream rules.

Pure functions; `SSEParser` takes the stream in arbitrary chunks, `parse_sse` takes it whole.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from typing import Any

from . import safe_json
from .exchange import Event, Framing

DONE = "[DONE]"
TRUNCATED = "truncated: the stream ended before the blank line that dispatches this event"

# Only CRLF, CR and LF end a line; str.splitlines would also split on U+2028, \x1c... inside JSON strings.
_EOL = re.compile(r"\r\n|\r|\n")
_REPLACEMENT = b"\xef\xbf\xbd"  # U+FFFD sent as such, not a bad byte we replaced
# String values worth sharing between events: they repeat on every event of a stream.
_SHARED_VALUES = frozenset(("type", "item_id", "object", "status", "role", "id"))
_MEMO_MAX = 10_000
_SHARE_AFTER = 1000  # events parsed plainly (faster) before a long stream's strings start being shared


class _JSON:
    """One stream's JSON decoder: keys and ids repeated on every event are stored once, not once per event."""

    def __init__(self) -> None:
        memo: dict[str, str] = {}
        share = memo.setdefault

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            if len(memo) > _MEMO_MAX:  # a stream of ever-new keys: sharing would cost more than it saves
                memo.clear()
            return {share(k, k): (share(v, v) if k in _SHARED_VALUES and type(v) is str else v) for k, v in items}

        self.share = share
        self.decode = _direct(json.JSONDecoder(object_pairs_hook=pairs))


def _direct(decoder: json.JSONDecoder) -> Callable[[str], Any]:
    """`decoder.decode` without its two whitespace-regex passes when the text is one bare JSON value (a data line is).

    Anything else (surrounding whitespace, trailing text, not JSON) goes to `decoder.decode`: the same value or error.
    """
    scan, slow = decoder.scan_once, decoder.decode  # type: ignore[attr-defined]  # set in JSONDecoder.__init__

    def decode(text: str) -> Any:
        try:
            value, end = scan(text, 0)
        except StopIteration:
            return slow(text)
        return value if end == len(text) else slow(text)

    return decode


_PLAIN = _direct(json.JSONDecoder())


def _event(
    index: int, raw: str, event: str | None, id_: str | None, js: _JSON | None = None, keep_raw: bool = True
) -> Event:
    if raw.strip() == DONE:
        return Event(index=index, raw=raw, event=event, id=id_, done=True)
    try:
        data = safe_json.loads(raw, decode=js.decode if js else _PLAIN)
    except safe_json.TooDeepError as exc:
        return Event(index=index, raw=raw, event=event, id=id_, parse_error=f"data is {exc}")
    except ValueError as exc:
        return Event(index=index, raw=raw, event=event, id=id_, parse_error=f"data is not JSON: {exc}")
    # The text is kept only on request: the parsed data is what checks read, and big streams would hold it twice.
    return Event(index=index, data=data, raw=raw if keep_raw else "", event=event, id=id_)


class SSEParser:
    """Incremental parser: `feed()` chunks as they arrive (bytes or str), then `close()`; read `.events`, `.framing`."""

    def __init__(self, keep_raw: bool = True) -> None:
        """`keep_raw=False`: `Event.raw` only for events whose data did not parse (saves a copy of big streams)."""
        self.events: list[Event] = []
        self.framing = Framing(kind="sse")
        self._keep_raw = keep_raw
        self._json = _JSON()
        self._tail = b""  # the last bytes fed, to find a U+FFFD split across chunks
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # WHATWG: UTF-8, U+FFFD for bad bytes
        self._buf = ""  # an incomplete line
        self._skip_lf = False  # the last chunk ended in CR: an LF opening the next one completes a CRLF
        self._started = False  # a BOM is stripped only at the very start
        self._data: list[str] = []
        self._event_type: str | None = None
        self._last_id: str | None = None  # persists across events, as lastEventId does
        self._pending = False  # a field line since the last blank line
        self._closed = False

    def feed(self, chunk: bytes | str) -> list[Event]:
        """Consume one chunk; return the events it completed."""
        if not isinstance(chunk, (bytes, bytearray)):
            return self._consume(chunk)
        text = self._decoder.decode(chunk)
        if "\ufffd" in text:  # bad bytes replaced, counted for stream.framing
            sent = (self._tail + chunk).count(_REPLACEMENT)
            self.framing.invalid_utf8 += text.count("\ufffd") - sent
        self._tail = bytes(chunk[-2:])
        return self._consume(text)

    def close(self) -> list[Event]:
        """End of stream: report a cut-off event (never dropped silently) and the unterminated tail."""
        if self._closed:
            return []
        self._closed = True
        before = len(self.events)
        tail = self._decoder.decode(b"", final=True)
        self.framing.invalid_utf8 += tail.count("\ufffd")  # a multi-byte sequence cut off by the end
        self._consume(tail)
        if self._buf:
            self._line(self._buf)  # an incomplete last line is still evidence of what was sent
            self._buf = ""
        if self._pending:
            self.framing.unterminated_tail = True
            if self._data:
                ev = _event(
                    len(self.events), "\n".join(self._data), self._event_type, self._last_id, self._json, keep_raw=True
                )
                # The JSON may well be complete; keep it, but say the event was never dispatched.
                ev.parse_error = TRUNCATED if ev.parse_error is None else f"{TRUNCATED}; {ev.parse_error}"
                self._emit(ev)
        return self.events[before:]

    def _consume(self, text: str) -> list[Event]:
        if not text:
            return []
        if not self._started:
            self._started = True
            if text[0] == "\ufeff":
                text = text[1:]
        if self._skip_lf:
            self._skip_lf = False
            if text[:1] == "\n":
                self.framing.crlf = True
                text = text[1:]
        before = len(self.events)
        buf = self._buf + text
        if "\r" in buf:
            if "\r\n" in buf:
                self.framing.crlf = True
            self._skip_lf = buf.endswith("\r")
            lines = _EOL.split(buf)
        else:
            lines = buf.split("\n")
        self._buf = lines.pop()
        line_of = self._line
        data, framing = self._data, self.framing
        for line in lines:
            if line[:6] == "data: ":  # nearly every non-blank line: handled here, as _line would
                self._pending = True
                data.append(line[6:])
                framing.data_with_space += 1
            elif not line:
                self._dispatch()
                data = self._data  # _dispatch starts a new list
            else:
                line_of(line)
        return self.events[before:]

    def _line(self, line: str) -> None:
        if not line:
            self._dispatch()
            return
        if line[0] == ":":
            # A finished comment line alone is not a cut-off event, so it does not set _pending.
            self.framing.comments.append(line[2:] if line[1:2] == " " else line[1:])
            return
        self._pending = True
        name, colon, value = line.partition(":")
        spaced = value[:1] == " "
        if spaced:
            value = value[1:]
        if name == "data":
            self._data.append(value)
            if spaced:
                self.framing.data_with_space += 1
            else:
                self.framing.data_without_space += 1
        elif name == "event":
            self._event_type = self._json.share(value, value) if len(value) < 128 else value
            self.framing.event_lines += 1
        elif name == "id":
            self.framing.id_lines += 1
            if "\0" not in value:
                self._last_id = value
        elif name == "retry":
            self.framing.retry_lines += 1
        # Any other field name is ignored, as the spec says.

    def _dispatch(self) -> None:
        self._pending = False
        if self._data:
            js = self._json if len(self.events) >= _SHARE_AFTER else None
            self._emit(
                _event(len(self.events), "\n".join(self._data), self._event_type, self._last_id, js, self._keep_raw)
            )
        self._data = []
        self._event_type = None

    def _emit(self, ev: Event) -> None:
        if ev.done:
            self.framing.done_sentinel = True
        self.events.append(ev)


def parse_sse(data: str | bytes, keep_raw: bool = True) -> tuple[list[Event], Framing]:
    """Parse a whole event stream."""
    parser = SSEParser(keep_raw)
    parser.feed(data)
    parser.close()
    return parser.events, parser.framing


def parse_jsonl_events(text: str, keep_raw: bool = True) -> tuple[list[Event], Framing]:
    """One JSON event per line (SSE framing already stripped, as in vercel-ai `.chunks.txt`); blank lines skipped."""
    events: list[Event] = []
    js = _JSON()
    for line in text.lstrip("\ufeff").split("\n"):
        line = line.rstrip("\r")
        if line.strip():
            events.append(_event(len(events), line, None, None, js if len(events) >= _SHARE_AFTER else None, keep_raw))
    framing = Framing(kind="jsonl", done_sentinel=any(e.done for e in events))
    return events, framing
