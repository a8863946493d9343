"""stream.framing: the `[DONE]` sentinel and the stream's tail against the provider's documented framing;
stream.encoding: the bytes decode as UTF-8."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import finding

# OpenAI's Responses streams end with the terminal event; no `data: [DONE]` (unlike Chat Completions).
_OPENAI_DONE = "absent"


def _profile_stream(provider: Any) -> tuple[str, str]:
    """(done_sentinel, source) from the profile's `stream:` block, else OpenAI's wire behaviour."""
    stream = getattr(provider, "stream", None)
    if stream is None and isinstance(provider, dict):
        stream = provider.get("stream")
    if isinstance(stream, dict):
        return stream.get("done_sentinel") or _OPENAI_DONE, stream.get("source") or "provider profile"
    if stream is not None and getattr(stream, "done_sentinel", None):
        return stream.done_sentinel, getattr(stream, "source", None) or "provider profile"
    return _OPENAI_DONE, "OpenAI wire behaviour"


@check(
    "stream.framing",
    description="[DONE] sentinel and stream tail match the provider's documented framing",
    applies_to="stream",
)
def framing(exchange: Exchange, ctx) -> Iterator[Finding]:
    resp = exchange.response
    if resp is None or resp.events is None:
        return
    fr = resp.framing
    if fr is not None and fr.kind == "jsonl":
        return  # framing was stripped by the recorder: nothing to judge
    events = resp.events
    done_events = [e for e in events if e.done]
    policy, source = _profile_stream(getattr(ctx, "provider", None))
    seen = bool(done_events) or bool(fr is not None and fr.done_sentinel)
    if policy == "absent" and seen:
        at = done_events[0].index if done_events else None
        yield finding(
            "stream.framing",
            "",
            "the stream sends a [DONE] sentinel the provider does not document",
            expected="no [DONE]",
            actual="[DONE]",
            event=at,
            source=source,
        )
    if policy == "present" and not seen and not (fr is not None and fr.unterminated_tail):
        yield finding(
            "stream.framing",
            "",
            "the documented [DONE] sentinel is missing",
            expected="[DONE]",
            actual=None,
            event=events[-1].index if events else None,
            source=source,
        )
    if done_events:
        # One finding for everything after the first sentinel (further sentinels included), not one per sentinel.
        later = [e for e in events if e.index > done_events[0].index]
        if later:
            yield finding(
                "stream.framing",
                "",
                "events after the [DONE] sentinel",
                expected="[DONE] last",
                actual=len(later),
                event=later[0].index,
                source=source,
            )
    if fr is not None and fr.unterminated_tail:
        yield finding(
            "stream.framing",
            "",
            "the stream ends mid-event (bytes after the last blank line)",
            expected="a blank line after the last event",
            actual="unterminated tail",
            event=events[-1].index if events else None,
            source="WHATWG server-sent events",
        )


@check(
    "stream.encoding",
    description="the stream's bytes are valid UTF-8 (no byte had to be replaced)",
    applies_to="stream",
)
def encoding(exchange: Exchange, ctx) -> Iterator[Finding]:
    fr = exchange.response.framing
    # getattr: the parser's count of replaced bytes (Framing.invalid_utf8) may be absent on older framings.
    bad = getattr(fr, "invalid_utf8", 0) if fr is not None else 0
    if isinstance(bad, int) and bad > 0:
        yield finding(
            "stream.encoding",
            "",
            f"the stream is not valid UTF-8: {bad} byte(s) had to be replaced",
            expected="UTF-8 (WHATWG server-sent events are UTF-8 only)",
            actual=bad,
            source="WHATWG server-sent events",
        )
