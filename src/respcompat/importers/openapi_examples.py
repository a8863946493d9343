"""Vendor OpenAPI pages (`responses:` or `paths:`): every documented example becomes one exchange."""

from __future__ import annotations

from typing import Any

from ..exchange import Exchange, Request, Response
from ..sse import parse_sse
from .json_body import event_response

FORMAT = "json-body"  # documented example bodies; architecture.md keeps the closed list of format names
_METHODS = ("get", "post", "put", "patch", "delete")


def _is_responses_map(obj: Any) -> bool:
    return isinstance(obj, dict) and any(
        isinstance(v, dict) and isinstance(v.get("content"), dict) for v in obj.values()
    )


def matches(doc: Any) -> bool:
    return isinstance(doc, dict) and (isinstance(doc.get("paths"), dict) or _is_responses_map(doc.get("responses")))


def _examples(media: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(name, summary, value) for each example of one media type."""
    if "example" in media:
        return [("example", "", media["example"])]
    out = []
    examples = media.get("examples")
    for name, ex in examples.items() if isinstance(examples, dict) else ():
        if isinstance(ex, dict) and "value" in ex:
            out.append((str(name), str(ex.get("summary") or ""), ex["value"]))
    return out


def _response(status: int | None, media_type: str, value: Any) -> tuple[Response, bool]:
    """The response and whether it is a fragment of a stream."""
    if "event-stream" in media_type:
        if isinstance(value, str):
            events, framing = parse_sse(value)
            return Response(
                status=status, headers={"content-type": media_type}, raw_body=value, events=events, framing=framing
            ), False
        # One documented event is a fragment; a documented list of events is a whole stream.
        resp = event_response(value if isinstance(value, list) else [value], None, media_type)
        resp.status = status
        return resp, not isinstance(value, list)
    return Response(status=status, headers={"content-type": media_type}, body=value), False


def _from_responses(responses: dict[str, Any], request: Request | None, source: str, out: list[Exchange]) -> None:
    for code, spec in responses.items():
        if not isinstance(spec, dict):
            continue
        status = int(code) if str(code).isdecimal() else None  # "default", "2XX" name no single status
        content = spec.get("content")
        for media_type, media in content.items() if isinstance(content, dict) else ():
            if not isinstance(media, dict):
                continue
            for name, summary, value in _examples(media):
                resp, fragment = _response(status, str(media_type), value)
                doc = {
                    "status": str(code),
                    "media_type": media_type,
                    "example": name,
                    "summary": summary,
                    "description": str(spec.get("description") or ""),
                }
                meta: dict[str, Any] = {"documentation": doc}
                if fragment:
                    meta["fragment"] = True
                out.append(
                    Exchange(
                        request, resp, index=len(out), source=source, label=f"{code} {media_type} {name}", meta=meta
                    )
                )


def to_exchanges(doc: dict[str, Any], source: str) -> list[Exchange]:
    out: list[Exchange] = []
    if isinstance(doc.get("paths"), dict):
        for path, ops in doc["paths"].items():
            for method, op in ops.items() if isinstance(ops, dict) else ():
                if method in _METHODS and isinstance(op, dict) and _is_responses_map(op.get("responses")):
                    _from_responses(op["responses"], Request(method=method.upper(), url=str(path)), source, out)
    elif _is_responses_map(doc.get("responses")):
        _from_responses(doc["responses"], None, source, out)
    return out
