"""Shared by the importers: header normalisation and turning a recorded body into Request/Response fields."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

from .. import safe_json
from ..exchange import Request, Response
from ..sse import parse_sse


class FormatError(Exception):
    """The file is not a well-formed recording of the format it claims; the message says what is wrong."""


_SSE_STARTS = ("event:", "data:", "id:", "retry:", ":")


def norm_headers(raw: Any) -> dict[str, str]:
    """Lower-cased names; list values (vcrpy, HAR duplicates) joined by ", "; values as recorded (redactions too)."""
    out: dict[str, str] = {}
    if isinstance(raw, dict):
        items = raw.items()
    elif isinstance(raw, list):  # HAR: [{name, value}]
        items = [(h.get("name"), h.get("value")) for h in raw if isinstance(h, dict)]
    else:
        return out
    for name, value in items:
        if name is None:
            continue
        values = value if isinstance(value, list) else [value]
        text = ", ".join("" if v is None else str(v) for v in values)
        key = str(name).lower()
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


def decode_bytes(data: bytes, headers: dict[str, str]) -> str:
    """Bytes -> text: gunzip/inflate when the headers or the magic bytes say so, then UTF-8. Raises ValueError."""
    encoding = headers.get("content-encoding", "").lower()
    try:
        if data[:2] == b"\x1f\x8b" or "gzip" in encoding:
            data = gzip.decompress(data)
        elif "deflate" in encoding:
            data = zlib.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"cannot decompress {encoding or 'gzip'} body: {exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"body is not UTF-8 text: {exc}") from exc


def looks_like_sse(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith(_SSE_STARTS)


def _is_stream(text: str, headers: dict[str, str]) -> bool:
    if looks_like_sse(text):
        return True
    # A JSON error answered under an event-stream content type is still a JSON body.
    return "text/event-stream" in headers.get("content-type", "") and text.lstrip()[:1] not in ("{", "[")


def parse_request_body(body: Any, headers: dict[str, str]) -> tuple[Any, str | None]:
    """(parsed JSON or None, raw text or None) for a recorded request body."""
    if body is None or isinstance(body, (dict, list)):
        return body, None
    if isinstance(body, (bytes, bytearray)):
        try:
            body = decode_bytes(bytes(body), headers)
        except ValueError:
            return None, None
    text = str(body)
    if not text.strip():
        return None, text
    try:
        return safe_json.loads(text), text
    except ValueError:  # not JSON, or nested past our bound: kept as text
        return None, text


def build_request(method: Any, url: Any, headers: Any, body: Any) -> Request:
    hdrs = norm_headers(headers)
    parsed, raw = parse_request_body(body, hdrs)
    return Request(method=str(method or "GET").upper(), url=str(url or ""), headers=hdrs, body=parsed, raw_body=raw)


def build_response(status: Any, headers: Any, body: Any) -> Response:
    """A Response from a recorded body: already-parsed JSON, text, bytes, or a list of SSE line strings."""
    hdrs = norm_headers(headers)
    resp = Response(status=_status(status), headers=hdrs)
    if isinstance(body, list) and body and all(isinstance(x, str) for x in body) and (
        "text/event-stream" in hdrs.get("content-type", "") or looks_like_sse(body[0])
    ):
        body = "".join(body)  # Azure test-proxy keeps a stream as its raw lines
    if isinstance(body, (bytes, bytearray)):
        try:
            body = decode_bytes(bytes(body), hdrs)
        except ValueError as exc:
            resp.body_error = str(exc)
            resp.raw_body = bytes(body).decode("latin-1")
            return resp
    if body is None or not isinstance(body, str):
        resp.body = body
        return resp
    resp.raw_body = body
    if not body.strip():
        return resp
    if _is_stream(body, hdrs):
        resp.events, resp.framing = parse_sse(body)
        return resp
    try:
        resp.body = safe_json.loads(body)
    except safe_json.TooDeepError as exc:
        resp.body_error = f"body is {exc}"
    except ValueError as exc:
        resp.body_error = f"body is not JSON: {exc}"
    return resp


def _status(status: Any) -> int | None:
    if isinstance(status, dict):
        status = status.get("code")
    try:
        code = int(status)
    except (TypeError, ValueError):
        return None
    return code if code > 0 else None  # HAR writes 0 for "no response"
