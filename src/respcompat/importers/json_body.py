"""A bare response body saved alone: response object, error, delete result, input_items list, event(s)."""

from __future__ import annotations

import json
from typing import Any

from ..exchange import Event, Exchange, Framing, Response

FORMAT = "json-body"

# Keys by which a YAML mapping is recognised as a Responses API document rather than some other YAML file.
_BODY_KEYS = ("object", "output", "error", "deleted", "data", "type", "status")


def is_event(obj: Any) -> bool:
    t = obj.get("type") if isinstance(obj, dict) else None
    return isinstance(t, str) and (t.startswith("response.") or (t == "error" and "sequence_number" in obj))


def looks_like_body(obj: Any) -> bool:
    if isinstance(obj, list):
        return bool(obj) and all(isinstance(x, dict) for x in obj)
    return isinstance(obj, dict) and any(k in obj for k in _BODY_KEYS)


def event_response(objs: list[Any], raw: str | None, content_type: str = "application/json") -> Response:
    """Events saved as parsed JSON: no SSE framing is observable, so framing is the `jsonl` kind."""
    events = [Event(index=i, data=o, raw=json.dumps(o, ensure_ascii=False)) for i, o in enumerate(objs)]
    return Response(status=None, headers={"content-type": content_type}, raw_body=raw, events=events,
                    framing=Framing(kind="jsonl"))


def to_exchanges(obj: Any, source: str, raw: str | None = None) -> list[Exchange]:
    if is_event(obj):
        # One event cut out of a stream: checks on whole streams (first/terminal event) must not judge it.
        resp = event_response([obj], raw)
        return [Exchange(None, resp, source=source, label=f"event {obj['type']}", meta={"fragment": True})]
    if isinstance(obj, list) and obj and all(is_event(o) for o in obj):
        return [Exchange(None, event_response(obj, raw), source=source, label="event array")]
    resp = Response(status=None, headers={"content-type": "application/json"}, body=obj, raw_body=raw)
    return [Exchange(None, resp, source=source, label="body")]
