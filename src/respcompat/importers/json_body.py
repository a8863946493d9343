"""A bare response body saved alone: response object, error, delete result, input_items list, event(s)."""

from __future__ import annotations

from typing import Any

from ..exchange import Event, Exchange, Framing, Response

FORMAT = "json-body"

# Keys by which an object without `object` is still a Responses API answer (a malformed one is worth judging).
_BODY_KEYS = ("output", "error", "deleted", "status")
_OBJECTS = ("response", "response.deleted", "list", "error")  # `object` values of Responses API answers
_CHAT = ("chat.completion", "chat.completion.chunk", "text_completion")


def is_event(obj: Any) -> bool:
    t = obj.get("type") if isinstance(obj, dict) else None
    return isinstance(t, str) and (t.startswith("response.") or (t == "error" and "sequence_number" in obj))


def looks_like_body(obj: Any) -> bool:
    return not_an_exchange(obj) is None


def not_an_exchange(obj: Any, lang: str = "JSON") -> str | None:
    """Why this parsed document is not a Responses exchange we can judge, or None when it is one."""
    if isinstance(obj, dict):
        return _not_a_body(obj, lang)
    if isinstance(obj, list):
        if obj and all(is_event(o) for o in obj):
            return None
        what = "an empty" if not obj else "a"
        return f"{what} {lang} {'array' if lang == 'JSON' else 'list'}, not a recorded exchange"
    if lang == "YAML":
        return (
            "plain text, not a recorded exchange"
            if isinstance(obj, str)
            else f"a YAML {type(obj).__name__} value, not a recorded exchange"
        )
    kind = (
        "null"
        if obj is None
        else "boolean"
        if isinstance(obj, bool)
        else "number"
        if isinstance(obj, (int, float))
        else "string"
        if isinstance(obj, str)
        else type(obj).__name__
    )
    return f"a {lang} {kind}, not a recorded exchange"


def _not_a_body(obj: dict[str, Any], lang: str) -> str | None:
    if is_event(obj):
        return None
    kind = obj.get("object")
    if isinstance(kind, str):
        if kind in _OBJECTS or kind.startswith("response"):
            return None
        if kind in _CHAT:
            return f"a Chat Completions body (object {kind}), not a Responses exchange"
        return f"a {lang} object with object {kind!r}, not a Responses exchange"
    if any(k in obj for k in _BODY_KEYS) or ("code" in obj and "message" in obj):  # DashScope's native error
        return None
    if "data" in obj and "first_id" in obj:  # an input_items list without `object`
        return None
    if not obj:
        return f"an empty {lang} {'object' if lang == 'JSON' else 'mapping'}, not a recorded exchange"
    keys = sorted(map(str, obj))
    more = ", ..." if len(keys) > 8 else ""
    return (
        f"a {lang} {'object' if lang == 'JSON' else 'mapping'} with keys {', '.join(keys[:8])}{more}, "
        "not a recorded exchange"
    )


def event_response(objs: list[Any], raw: str | None, content_type: str = "application/json") -> Response:
    """Events saved as parsed JSON: no SSE framing is observable, so framing is the `jsonl` kind."""
    events = [Event(index=i, data=o) for i, o in enumerate(objs)]  # parsed already: no text to keep
    return Response(
        status=None, headers={"content-type": content_type}, raw_body=raw, events=events, framing=Framing(kind="jsonl")
    )


def to_exchanges(obj: Any, source: str, raw: str | None = None) -> list[Exchange]:
    if is_event(obj):
        # One event cut out of a stream: checks on whole streams (first/terminal event) must not judge it.
        resp = event_response([obj], raw)
        return [Exchange(None, resp, source=source, label=f"event {obj['type']}", meta={"fragment": True})]
    if isinstance(obj, list) and obj and all(is_event(o) for o in obj):
        return [Exchange(None, event_response(obj, raw), source=source, label="event array")]
    resp = Response(status=None, headers={"content-type": "application/json"}, body=obj, raw_body=raw)
    return [Exchange(None, resp, source=source, label="body")]
