"""compare.stream_body: the same request, streamed and not streamed, gives response objects of the same shape.

Values differ (ids, text, timestamps); the fields must not. A field present in one and absent in the other is a
field a client sees or not depending on how it asked, which no provider documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import final_response, finding, request_body

SOURCE = "OpenAI API reference (the streamed terminal response is the Response object)"


def _shape(resp: dict[str, Any]) -> dict[str, set[str]]:
    """Field names of the response and of its output items (by item type)."""
    out = {"": set(resp)}
    for item in resp.get("output") or []:
        if isinstance(item, dict):
            out.setdefault(f"output item {item.get('type')}", set()).update(item)
    return out


def _twin(exchange: Exchange, ctx) -> Exchange | None:
    """An earlier create of the same flow whose request differs from this one only in `stream`."""
    req = request_body(exchange) or {}
    mine = {k: v for k, v in req.items() if k != "stream"}
    for x in getattr(ctx, "exchanges", None) or []:
        if x is exchange or x.index >= exchange.index or x.endpoint != "create":
            continue
        other = request_body(x) or {}
        if {k: v for k, v in other.items() if k != "stream"} == mine and bool(other.get("stream")) != bool(
            req.get("stream")
        ):
            return x
    return None


@check(
    "compare.stream_body",
    description="a streamed and a non-streamed answer to the same request have the same "
    "fields (response and output items)",
)
def stream_body(exchange: Exchange, ctx) -> Iterator[Finding]:
    if exchange.endpoint != "create" or request_body(exchange) is None:
        return
    twin = _twin(exchange, ctx)
    if twin is None:
        return
    mine, theirs = final_response(exchange), final_response(twin)
    if mine is None or theirs is None:
        return  # an answer that is not a response object is judged by body.* / stream.terminal_event
    streamed = exchange.response.events is not None
    a, b = _shape(mine[2]), _shape(theirs[2])
    for where in sorted(set(a) & set(b)):
        for name in sorted(a[where] ^ b[where]):
            here = name in a[where]
            how = (
                ("the streamed" if streamed else "the non-streamed")
                if here
                else ("the non-streamed" if streamed else "the streamed")
            )
            yield finding(
                "compare.stream_body",
                f"{mine[1]}{'/' + name if not where else ''}",
                f"{where or 'the response'}: {name!r} only in {how} answer",
                expected="the same fields streamed and not",
                actual=f"{name} in {how} answer only",
                event=mine[0],
                source=SOURCE,
                twin=twin.index,
            )
