"""Recorded traffic in any supported format -> exchanges. `load_path` walks folders; nothing here ever raises.

Formats: vcr-yaml, test-proxy-json, har, sse, jsonl-events, json-body (see `_detect` for how one is chosen).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from .. import safe_json, safe_yaml
from ..exchange import RAW_PREFIX, Exchange
from ..nogc import paused
from . import har, json_body, jsonl_events, openapi_examples, sse_text, test_proxy, vcr_yaml
from ._http import FormatError, decompress

__all__ = ["ImportResult", "iter_path", "load_file", "load_path", "load_text", "load_bytes", "FormatError"]

_SSE_EXT = (".sse", ".sse.txt")
_JSONL_EXT = (".chunks.txt", ".jsonl", ".ndjson")
_YAML_EXT = (".yaml", ".yml")
_SSE_FIELDS = ("data", "event", "id", "retry")
_SKIP_NAMES = ("readme", "provenance")
_CHUNK = 1 << 20
_JSON_STARTS = '{["-0123456789tfn'  # what a JSON text may open with (YAML is tried when JSON fails)


@dataclass
class ImportResult:
    path: str
    format: str | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    error: str | None = None


def load_path(path: str | os.PathLike[str]) -> list[ImportResult]:
    """One result per file; folders are walked recursively in sorted order, skipping README/PROVENANCE notes."""
    return list(iter_path(path))


def iter_path(path: str | os.PathLike[str]) -> Iterator[ImportResult]:
    """`load_path` one file at a time: a caller that judges each and lets it go holds one file's traffic at once."""
    p = Path(path)
    if not p.is_dir():
        yield load_file(p)
        return
    files = []
    for f in p.rglob("*"):
        rel = f.relative_to(p).parts
        if any(part.startswith(".") for part in rel) or not f.is_file():
            continue
        if f.suffix.lower() == ".md" and f.name.lower().startswith(_SKIP_NAMES):
            continue
        files.append(f)
    for f in sorted(files, key=lambda f: f.relative_to(p).as_posix()):
        yield load_file(f)


@paused()
def load_file(path: str | os.PathLike[str]) -> ImportResult:
    """One file: an event stream is parsed as it is read, anything else read whole first."""
    name = str(path)
    try:
        with open(path, "rb") as f:
            head = f.read(RAW_PREFIX)
            if head[:2] != b"\x1f\x8b" and _is_sse(head.decode("utf-8", "replace"), name.lower()):
                return _load_stream(f, head, name)
            f.seek(0)
            box = [f.read()]  # boxed, so that the bytes are freed once decoded (a big file is then held once)
    except OSError as exc:
        return ImportResult(name, error=f"cannot read file: {exc.strerror or exc}")
    return _load_boxed(box, name)


def _load_stream(f: BinaryIO, head: bytes, name: str) -> ImportResult:
    """An event stream file, parsed as it is read: a big one is never held whole in memory."""

    def chunks() -> Iterator[bytes]:
        yield head
        while chunk := f.read(_CHUNK):
            yield chunk

    result = ImportResult(name, format=sse_text.FORMAT)
    try:
        result.exchanges = sse_text.from_chunks(chunks(), name)
    except OSError as exc:
        result.error = f"cannot read file: {exc.strerror or exc}"
    except Exception as exc:  # an importer bug must not cost the other files of a run
        result.error = f"importer crashed: {type(exc).__name__}: {exc}"
    if result.error:
        result.exchanges = []
    return result


@paused()
def load_bytes(data: bytes, name: str) -> ImportResult:
    return _load_boxed([data], name)


def _load_boxed(box: list[bytes], name: str) -> ImportResult:
    data = box.pop()
    name_l = name.lower()
    if data[:2] == b"\x1f\x8b":  # a gzipped recording (e.g. langchain's *.yaml.gz)
        try:
            data = decompress(data, "gzip")
        except ValueError as exc:
            return ImportResult(name, error=f"corrupt gzip file: {exc}")
        name_l = name_l.removesuffix(".gz")
    try:
        text, bad_at = data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        # A stream is judged with bad bytes replaced, as a live client decodes it; counted for stream.framing.
        text, bad_at = data.decode("utf-8", "replace"), exc.start
    invalid = 0 if bad_at is None else text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    del data  # the text is the only copy we need while importing
    result = _load(text, name, name_l, streams_only=bad_at is not None)
    if bad_at is None:
        return result
    if result.error is not None:
        return ImportResult(name, error=f"not UTF-8 text (a binary file?): invalid byte at offset {bad_at}")
    for ex in result.exchanges:
        if ex.response is not None and ex.response.framing is not None:
            ex.response.framing.invalid_utf8 = invalid
    return result


@paused()
def load_text(text: str, name: str = "<text>") -> ImportResult:
    """Import text that never was a file (the CLI's stdin); `name` is only a hint and the source label."""
    return _load(text, name, name.lower())


def _load(text: str, name: str, hint: str, streams_only: bool = False) -> ImportResult:
    result = ImportResult(name)
    try:
        module, payload = _detect(text, hint)
        if streams_only and module not in (sse_text, jsonl_events):
            raise FormatError("not an event stream")
        result.format = module.FORMAT
        result.exchanges = module.to_exchanges(payload, name)
        if not result.exchanges:
            raise FormatError("the file holds no exchange")
    except FormatError as exc:
        result.error = str(exc)
    except RecursionError:  # every parser here is bounded; this is the last line of defence
        result.error = f"a document nested too deeply to import (over {safe_json.MAX_DEPTH} levels)"
    except Exception as exc:  # an importer bug must not cost the other files of a run
        result.error = f"importer crashed: {type(exc).__name__}: {exc}"
    if result.error:
        result.exchanges = []
    return result


def _detect(text: str, hint: str) -> tuple[Any, Any]:
    """(format module, what its `to_exchanges` takes), by content first; the extension only breaks ties."""
    body = text[1:] if text.startswith("\ufeff") else text
    head = body.lstrip()
    if not head:
        raise FormatError("an empty file")
    if "\0" in head[:4096]:
        raise FormatError("a binary file (NUL bytes): binary content, not a recording")
    if _is_sse(text, hint):
        return sse_text, body
    if hint.endswith(_JSONL_EXT):
        return jsonl_events, body
    if head[0] in _JSON_STARTS:
        try:
            doc = safe_json.loads(body)
        except safe_json.TooDeepError as exc:
            raise FormatError(f"a JSON document {exc}") from None
        except ValueError as exc:
            if head[0] in "{[" or hint.endswith(".json"):
                if _jsonl_shaped(body):
                    return jsonl_events, body
                if not hint.endswith(_YAML_EXT):
                    raise FormatError(f"JSON syntax error: {exc}") from None
        else:
            return _structured(doc, body, from_yaml=False)
    try:
        doc = safe_yaml.load(body, safe_yaml.DataLoader)
    except safe_yaml.YAMLBombError as exc:
        raise FormatError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise FormatError(f"YAML syntax error: {' '.join(str(exc).split())}") from None
    return _structured(doc, body, from_yaml=True)


def _structured(doc: Any, raw: str, from_yaml: bool) -> tuple[Any, Any]:
    for module in (test_proxy, har, vcr_yaml, openapi_examples):
        if module.matches(doc):
            return module, doc
    why = json_body.not_an_exchange(doc, "YAML" if from_yaml else "JSON")
    if why is None:
        return _JsonBody(raw if not from_yaml else None), doc
    raise FormatError(f"unknown format: {why}")


class _JsonBody:
    """json_body bound to the raw text it came from."""

    FORMAT = json_body.FORMAT

    def __init__(self, raw: str | None) -> None:
        self.raw = raw

    def to_exchanges(self, obj: Any, source: str) -> list[Exchange]:
        return json_body.to_exchanges(obj, source, self.raw)


def _is_sse(text: str, hint: str) -> bool:
    """An event stream, judged from the first RAW_PREFIX characters at most (the rest may not be read yet)."""
    body = text[1:] if text.startswith("\ufeff") else text
    head = body.lstrip()
    if not head or "\0" in head[:4096]:
        return False
    structured = hint.endswith(_YAML_EXT) or hint.endswith(".json")
    return _sse_shaped(body) and not structured or hint.endswith(_SSE_EXT) and head[0] not in "{["


def _sse_shaped(text: str) -> bool:
    """Every one of the first non-blank lines is an SSE comment or a known field, and one is `data`."""
    seen_data = False
    n = 0
    lines = text[:16384].splitlines()
    if len(text) > 16384:
        lines.pop()  # possibly cut in half
    for line in lines:
        if not line.strip():
            continue
        n += 1
        if n > 40:
            break
        if line.startswith(":"):
            continue
        name = line.split(":", 1)[0]
        if name not in _SSE_FIELDS:
            return False
        seen_data = seen_data or name == "data"
    return seen_data


def _jsonl_shaped(text: str) -> bool:
    """Two or more lines, the first 20 of them JSON objects (read from the head: the file may be huge)."""
    head = text[: 1 << 20]
    lines = head.split("\n")
    if len(head) < len(text):
        lines.pop()  # possibly cut in half
    lines = [ln for ln in lines if ln.strip()][:20]
    try:
        return (len(lines) > 1 or text.count("\n", len(head)) > 0) and all(
            isinstance(safe_json.loads(ln), dict) for ln in lines
        )
    except ValueError:
        return False
