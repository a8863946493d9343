"""Shared helpers for the semantic checks: where response objects live in an exchange, and finding builders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..exchange import Event, Exchange
from ..findings import Finding

WIRE = "OpenAI wire behaviour"
TERMINAL_TYPES = ("response.completed", "response.failed", "response.incomplete")
# Lifecycle events that carry the whole response object under `response`.
RESPONSE_EVENTS = ("response.created", "response.queued", "response.in_progress") + TERMINAL_TYPES


def finding(check: str, pointer: str, message: str, expected: Any = None, actual: Any = None,
            event: int | None = None, source: str = WIRE, **details: Any) -> Finding:
    return Finding(check=check, pointer=pointer, message=message, expected=expected, actual=actual,
                   event=event, source=source, details=dict(details))


def esc(token: Any) -> str:
    """Escape one JSON-pointer reference token."""
    return str(token).replace("~", "~0").replace("/", "~1")


def ptr(*tokens: Any) -> str:
    return "".join("/" + esc(t) for t in tokens)


def payloads(exchange: Exchange) -> list[Event]:
    """The stream's events that carry a JSON object (not the `[DONE]` sentinel, not unparseable data)."""
    resp = exchange.response
    if resp is None or resp.events is None:
        return []
    return [e for e in resp.events if not e.done and isinstance(e.data, dict)]


def is_response_object(doc: Any) -> bool:
    return isinstance(doc, dict) and (doc.get("object") == "response" or ("output" in doc and "status" in doc))


def response_objects(exchange: Exchange) -> Iterator[tuple[int | None, str, dict]]:
    """Every response object in the exchange: `(event index or None, pointer prefix, object)`."""
    resp = exchange.response
    if resp is None:
        return
    if resp.events is not None:
        for e in payloads(exchange):
            if isinstance(e.data.get("response"), dict):
                yield e.index, "/response", e.data["response"]
    elif is_response_object(resp.body):
        yield None, "", resp.body


def terminal(exchange: Exchange) -> Event | None:
    """The last terminal lifecycle event of a stream, if any."""
    for e in reversed(payloads(exchange)):
        if e.type in TERMINAL_TYPES:
            return e
    return None


def final_response(exchange: Exchange) -> tuple[int | None, str, dict] | None:
    """The response object that states the outcome: the terminal event's, or the JSON body."""
    resp = exchange.response
    if resp is None:
        return None
    if resp.events is not None:
        t = terminal(exchange)
        if t is not None and isinstance(t.data.get("response"), dict):
            return t.index, "/response", t.data["response"]
        return None
    if is_response_object(resp.body):
        return None, "", resp.body
    return None


def request_body(exchange: Exchange) -> dict | None:
    req = exchange.request
    return req.body if req is not None and isinstance(req.body, dict) else None


def resumed_after(exchange: Exchange) -> int | None:
    """`starting_after` of a resumed stream (GET /responses/{id}?stream=true), else None."""
    req = exchange.request
    if req is None or not req.url or exchange.endpoint != "retrieve":
        return None
    values = parse_qs(urlsplit(req.url).query).get("starting_after")
    try:
        return int(values[0]) if values else -1
    except ValueError:
        return -1


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_resumed(exchange: Exchange) -> bool:
    """A stream resumed mid-way (`starting_after` >= 0): its start is elsewhere."""
    after = resumed_after(exchange)
    return after is not None and after >= 0
