"""stream.framing: the `[DONE]` sentinel and the stream's tail against the provider's documented framing."""

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


@check("stream.framing", description="[DONE] sentinel and stream tail match the provider's documented framing",
       applies_to="stream")
def framing(exchange: Exchange, ctx) -> Iterator[Finding]:
    resp = exchange.response
    fr = resp.framing
    if fr is not None and fr.kind == "jsonl":
        return  # framing was stripped by the recorder: nothing to judge
    events = resp.events
    done_events = [e for e in events if e.done]
    policy, source = _profile_stream(getattr(ctx, "provider", None))
    seen = bool(done_events) or bool(fr is not None and fr.done_sentinel)
    if policy == "absent" and seen:
        at = done_events[0].index if done_events else None
        yield finding("stream.framing", "", "the stream sends a [DONE] sentinel the provider does not document",
                      expected="no [DONE]", actual="[DONE]", event=at, source=source)
    if policy == "present" and not seen and not (fr is not None and fr.unterminated_tail):
        yield finding("stream.framing", "", "the documented [DONE] sentinel is missing",
                      expected="[DONE]", actual=None, event=events[-1].index if events else None, source=source)
    for d in done_events:
        later = [e for e in events if e.index > d.index]
        if later:
            yield finding("stream.framing", "", "events after the [DONE] sentinel",
                          expected="[DONE] last", actual=len(later), event=later[0].index, source=source)
    if fr is not None and fr.unterminated_tail:
        yield finding("stream.framing", "", "the stream ends mid-event (bytes after the last blank line)",
                      expected="a blank line after the last event", actual="unterminated tail",
                      event=events[-1].index if events else None, source="WHATWG server-sent events")
