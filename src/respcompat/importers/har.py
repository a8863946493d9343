"""HAR 1.2 (browser / proxy captures): `log.entries[].request/response`, base64 `content.text` decoded."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..exchange import Exchange
from ._http import FormatError, build_request, build_response

FORMAT = "har"


def matches(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("log"), dict)


def _need(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise FormatError(f"HAR: {where} has no `{key}`")
    return obj[key]


def _content(resp: dict[str, Any], where: str) -> tuple[Any, list[Any]]:
    content = _need(resp, "content", where)
    headers = resp.get("headers")
    headers = list(headers) if isinstance(headers, list) else []
    mime = content.get("mimeType") if isinstance(content, dict) else None
    if mime and not any(isinstance(h, dict) and str(h.get("name", "")).lower() == "content-type" for h in headers):
        headers.append({"name": "content-type", "value": mime})
    text = content.get("text") if isinstance(content, dict) else None
    if text is not None and content.get("encoding") == "base64":
        try:
            text = base64.b64decode("".join(str(text).split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise FormatError(f"HAR: {where}.content.text is not valid base64: {exc}") from exc
    return text, headers


def to_exchanges(doc: dict[str, Any], source: str) -> list[Exchange]:
    entries = _need(doc["log"], "entries", "log")
    if not isinstance(entries, list):
        raise FormatError("HAR: log.entries is not a list")
    out = []
    for i, e in enumerate(entries):
        where = f"entry {i}"
        rq = _need(e, "request", where)
        rs = _need(e, "response", where)
        post = rq.get("postData") if isinstance(rq, dict) else None
        body = post.get("text") if isinstance(post, dict) else None
        request = build_request(
            _need(rq, "method", f"{where}.request"), _need(rq, "url", f"{where}.request"), rq.get("headers"), body
        )
        status = _need(rs, "status", f"{where}.response")
        text, headers = _content(rs, f"{where}.response")
        response = build_response(status, headers, text)
        label = f"{where}: {request.method} {request.path}"
        out.append(Exchange(request, response, index=i, source=source, label=label))
    return out
