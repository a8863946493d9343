"""Shared helpers for the semantic checks: where response objects live in an exchange, and finding builders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..exchange import Event, Exchange
from ..findings import Finding
from ..preview import clip, preview

WIRE = "OpenAI wire behaviour"
TERMINAL_TYPES = ("response.completed", "response.failed", "response.incomplete")
# Lifecycle events that carry the whole response object under `response`.
RESPONSE_EVENTS = ("response.created", "response.queued", "response.in_progress") + TERMINAL_TYPES


def finding(
    check: str,
    pointer: str,
    message: str,
    expected: Any = None,
    actual: Any = None,
    event: int | None = None,
    source: str = WIRE,
    **details: Any,
) -> Finding:
    """A finding; expected/actual copied from provider data are cut to a bounded preview when big."""
    return Finding(
        check=check,
        pointer=pointer,
        message=message,
        expected=clip(expected),
        actual=clip(actual),
        event=event,
        source=source,
        details={k: clip(v) for k, v in details.items()},
    )


# Which index each item-scoped event must carry: the item state machine and the accumulation checks place
# these events by them. On any other event an index is optional but, when present, must be usable.
_PARTS_BY_CONTENT = (
    "response.content_part.added",
    "response.content_part.done",
    "response.output_text.delta",
    "response.output_text.done",
    "response.refusal.delta",
    "response.refusal.done",
    "response.reasoning_text.delta",
    "response.reasoning_text.done",
)
_PARTS_BY_SUMMARY = (
    "response.reasoning_summary_part.added",
    "response.reasoning_summary_part.done",
    "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.done",
)
REQUIRED_INDEXES: dict[str, tuple[str, ...]] = {
    "response.output_item.added": ("output_index",),
    "response.output_item.done": ("output_index",),
    "response.function_call_arguments.delta": ("output_index",),
    "response.function_call_arguments.done": ("output_index",),
    **{t: ("output_index", "content_index") for t in _PARTS_BY_CONTENT},
    **{t: ("output_index", "summary_index") for t in _PARTS_BY_SUMMARY},
}
INDEX_KEYS = ("output_index", "content_index", "summary_index")


def index(value: Any) -> int | None:
    """`value` when it is a usable index (a non-negative integer, not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def type_of(e: Event) -> str | None:
    """The event's `type` when it is a string (a wrong type is the schema check's finding)."""
    t = e.type  # read once when the event was made
    return t if type(t) is str else None


def say(value: Any, limit: int = 80) -> str:
    """A value for a message: a short string as itself, anything else as a bounded preview."""
    return value if isinstance(value, str) and len(value) <= limit else preview(value, limit)


_MISPLACED: dict[int, tuple[list[Event], int, Any]] = {}


def misplaced(events: list[Event]) -> tuple[Event, str, int] | None:
    """The first event that cannot be placed in the output (an index missing where required, or not a
    non-negative integer), the key at fault, and how many events have such a problem (computed once per list)."""
    hit = _MISPLACED.get(id(events))
    if hit is not None and hit[0] is events and hit[1] == len(events):
        return hit[2]
    result = _misplaced(events)
    if len(_MISPLACED) > 16:
        _MISPLACED.clear()
    _MISPLACED[id(events)] = (events, len(events), result)
    return result


def _misplaced(events: list[Event]) -> tuple[Event, str, int] | None:
    first, count = None, 0
    for e in events:
        t = type_of(e)
        if t in RESPONSE_EVENTS:
            continue
        need = REQUIRED_INDEXES.get(t, ()) if t is not None else ()
        data, bad = e.data, None
        for k in INDEX_KEYS:  # a plain loop: this runs on every event of the stream
            if k in data:
                v = data[k]
                if type(v) is not int or v < 0:  # what index() refuses (a bool is not of type int)
                    bad = k
                    break
            elif k in need:
                bad = k
                break
        if bad is not None:
            count += 1
            if first is None:
                first = (e, bad)
    return (first[0], first[1], count) if first is not None else None


def path_key(path) -> list:
    """A sort key for a jsonschema error path that mixes list indexes and object keys."""
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in path]


def esc(token: Any) -> str:
    """Escape one JSON-pointer reference token."""
    return str(token).replace("~", "~0").replace("/", "~1")


def ptr(*tokens: Any) -> str:
    return "".join("/" + esc(t) for t in tokens)


def payloads(exchange: Exchange) -> list[Event]:
    """The stream's events that carry a JSON object (not the `[DONE]` sentinel, not unparseable data).

    Built once per exchange (thirty checks ask): the list is shared, so callers must not change it."""
    resp = exchange.response
    if resp is None or resp.events is None:
        return []
    cached = exchange.meta.get("_payloads")
    if cached is not None and cached[0] is resp.events and cached[1] == len(resp.events):
        return cached[2]
    out = [e for e in resp.events if not e.done and isinstance(e.data, dict)]
    exchange.meta["_payloads"] = (resp.events, len(resp.events), out)
    return out


def by_type(exchange: Exchange) -> dict[str | None, list[Event]]:
    """The payload events grouped by type, in stream order (built once per exchange; do not change the lists)."""
    events = payloads(exchange)
    cached = exchange.meta.get("_by_type")
    if cached is not None and cached[0] is events:
        return cached[1]
    groups: dict[str | None, list[Event]] = {}
    for e in events:
        groups.setdefault(type_of(e), []).append(e)
    exchange.meta["_by_type"] = (events, groups)
    return groups


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
