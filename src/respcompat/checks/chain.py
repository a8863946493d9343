"""state.input_items_chain: GET /responses/{id}/input_items lists the input the response was created with, and,
for a response chained with previous_response_id, the input of the turn before: the server's memory of a
conversation, judged from what it stores rather than from what the model says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import final_response, finding, request_body

# OpenAI lists the earlier turn too (realworld: openai-dotnet FunctionCallWorks, input_items of a chained response).
SOURCE = "OpenAI API reference (list input items)"


def _texts(value: Any) -> list[str]:
    """The user-visible strings of an `input` (a string, or items with string or part content)."""
    if isinstance(value, str):
        return [value]
    out: list[str] = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        content = item.get("content")
        if isinstance(content, str):
            out.append(content)
        for part in content if isinstance(content, list) else []:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                out.append(part["text"])
    return out


def _path_id(x: Exchange) -> str | None:
    if x.request is None or not x.request.url:
        return None
    parts = [p for p in urlsplit(x.request.url).path.split("/") if p]
    return parts[parts.index("responses") + 1] if "responses" in parts[:-1] else None


def _created(xs: list[Exchange]) -> dict[str, Exchange]:
    out = {}
    for x in xs:
        final = final_response(x) if x.endpoint == "create" else None
        if final is not None and isinstance(final[2].get("id"), str):
            out[final[2]["id"]] = x
    return out


@check(
    "state.input_items_chain",
    description="input_items of a response hold its own input and, when chained with "
    "previous_response_id, the earlier turn's input",
)
def input_items_chain(exchange: Exchange, ctx) -> Iterator[Finding]:
    resp = exchange.response
    status = resp.status if resp is not None else None
    if exchange.endpoint != "input_items" or status is None or not 200 <= status < 300:
        return
    body = resp.body
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        return  # body.kind / schema.input_items report a malformed list
    earlier = [x for x in (getattr(ctx, "exchanges", None) or []) if x.index < exchange.index]
    created = _created(earlier)
    rid = _path_id(exchange)
    listed = "\n".join(_texts(data))
    turn, hops = created.get(rid or ""), 0
    while turn is not None and hops < 20:
        req = request_body(turn) or {}
        for text in _texts(req.get("input")):
            if text and text not in listed:
                which = "its own input" if hops == 0 else f"the input of the turn {hops} before (previous_response_id)"
                yield finding(
                    "state.input_items_chain",
                    "/data",
                    f"input_items does not hold {which}",
                    expected=text,
                    actual=f"{len(data)} items",
                    source=SOURCE,
                    created_in=turn.index,
                )
                return
        prev = req.get("previous_response_id")
        turn, hops = (created.get(prev) if isinstance(prev, str) else None), hops + 1
