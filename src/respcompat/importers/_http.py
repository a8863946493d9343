"""Shared by the importers: header normalisation and turning a recorded body into Request/Response fields."""

from __future__ import annotations

import zlib
from typing import Any

from .. import safe_json
from ..exchange import RAW_PREFIX, Request, Response
from ..sse import parse_sse


class FormatError(Exception):
    """The file is not a well-formed recording of the format it claims; the message says what is wrong."""


_SSE_STARTS = ("event:", "data:", "id:", "retry:", ":")
# A compressed recording may expand this much (text compresses 5-20x; a zip bomb 1000x), and always to 64 MiB.
EXPANSION_RATIO = 100
MIN_EXPANSION_LIMIT = 64 << 20


def norm_headers(raw: Any) -> dict[str, str]:
    """Lower-cased names; list values (vcrpy, HAR duplicates) joined by ", "; values as recorded (redactions too)."""
    out: dict[str, str] = {}
    items: Any
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


def decompress(data: bytes, encoding: str = "gzip") -> bytes:
    """Gunzip (every member) or inflate, refusing an output far beyond the input (a zip bomb). Raises ValueError."""
    limit = max(MIN_EXPANSION_LIMIT, EXPANSION_RATIO * len(data))
    out: list[bytes] = []
    total = 0
    wbits = 31 if encoding == "gzip" else 15
    try:
        while data:
            d = zlib.decompressobj(wbits)
            out.append(d.decompress(data, limit - total + 1))
            total += len(out[-1])
            if total > limit:
                raise ValueError(f"{encoding} data expands past {limit >> 20} MiB: refused (a zip bomb?)")
            if not d.eof:
                raise ValueError(f"{encoding} data ends before its end-of-stream marker (truncated)")
            # gzip files may hold several members, and NUL padding after the last one
            data = d.unused_data.lstrip(b"\0") if encoding == "gzip" else b""
    except zlib.error as exc:
        raise ValueError(f"corrupt {encoding} data: {exc}") from exc
    return b"".join(out)


def inflate(data: bytes, headers: dict[str, str]) -> bytes:
    """Gunzip/inflate when the headers or the magic bytes say so. Raises ValueError."""
    encoding = headers.get("content-encoding", "").lower()
    try:
        if data[:2] == b"\x1f\x8b" or "gzip" in encoding:
            return decompress(data, "gzip")
        if "deflate" in encoding:
            return decompress(data, "deflate")
    except ValueError as exc:
        raise ValueError(f"cannot decompress {encoding or 'gzip'} body: {exc}") from exc
    return data


def decode_bytes(data: bytes, headers: dict[str, str]) -> str:
    """Bytes -> text: gunzip/inflate when the headers or the magic bytes say so, then UTF-8. Raises ValueError."""
    data = inflate(data, headers)
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
    if (
        isinstance(body, list)
        and body
        and all(isinstance(x, str) for x in body)
        and ("text/event-stream" in hdrs.get("content-type", "") or looks_like_sse(body[0]))
    ):
        body = "".join(body)  # Azure test-proxy keeps a stream as its raw lines
    if isinstance(body, (bytes, bytearray)):
        try:
            data = inflate(bytes(body), hdrs)
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A stream is judged with bad bytes replaced, as a live client decodes it; the count goes to framing.
            text = data.decode("utf-8", "replace")
            if not _is_stream(text, hdrs):
                resp.body_error = f"body is not UTF-8 text: {exc}"
                resp.raw_body = bytes(body).decode("latin-1")
                return resp
            resp.raw_body = text[:RAW_PREFIX]
            resp.events, resp.framing = parse_sse(text, keep_raw=False)
            resp.framing.invalid_utf8 = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
            return resp
        except ValueError as exc:
            resp.body_error = str(exc)
            resp.raw_body = bytes(body).decode("latin-1")
            return resp
        body = text
    if body is None or not isinstance(body, str):
        resp.body = body
        return resp
    resp.raw_body = body
    if not body.strip():
        return resp
    if _is_stream(body, hdrs):
        resp.raw_body = body[:RAW_PREFIX]  # the events hold the stream; a second whole copy is not kept
        resp.events, resp.framing = parse_sse(body, keep_raw=False)
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
