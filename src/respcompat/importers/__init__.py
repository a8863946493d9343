"""Recorded traffic in any supported format -> exchanges. `load_path` walks folders; nothing here ever raises.

Formats: vcr-yaml, test-proxy-json, har, sse, jsonl-events, json-body (see `_detect` for how one is chosen).
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..exchange import Exchange
from . import har, json_body, jsonl_events, openapi_examples, sse_text, test_proxy, vcr_yaml
from ._http import FormatError

__all__ = ["ImportResult", "load_file", "load_path", "load_text", "load_bytes", "FormatError"]

_SSE_EXT = (".sse", ".sse.txt")
_JSONL_EXT = (".chunks.txt", ".jsonl", ".ndjson")
_YAML_EXT = (".yaml", ".yml")
_SSE_FIELDS = ("data", "event", "id", "retry")
_SKIP_NAMES = ("readme", "provenance")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML, C-accelerated when available; timestamps stay strings so documents round-trip to JSON."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class ImportResult:
    path: str
    format: str | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    error: str | None = None


def load_path(path: str | os.PathLike[str]) -> list[ImportResult]:
    """One result per file; folders are walked recursively in sorted order, skipping README/PROVENANCE notes."""
    p = Path(path)
    if not p.is_dir():
        return [load_file(p)]
    files = []
    for f in p.rglob("*"):
        rel = f.relative_to(p).parts
        if any(part.startswith(".") for part in rel) or not f.is_file():
            continue
        if f.suffix.lower() == ".md" and f.name.lower().startswith(_SKIP_NAMES):
            continue
        files.append(f)
    return [load_file(f) for f in sorted(files, key=lambda f: f.relative_to(p).as_posix())]


def load_file(path: str | os.PathLike[str]) -> ImportResult:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return ImportResult(str(path), error=f"cannot read file: {exc.strerror or exc}")
    return load_bytes(data, str(path))


def load_bytes(data: bytes, name: str) -> ImportResult:
    name_l = name.lower()
    if data[:2] == b"\x1f\x8b":  # a gzipped recording (e.g. langchain's *.yaml.gz)
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            return ImportResult(name, error=f"corrupt gzip file: {exc}")
        name_l = name_l.removesuffix(".gz")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ImportResult(name, error=f"not UTF-8 text (binary file?): invalid byte at offset {exc.start}")
    return _load(text, name, name_l)


def load_text(text: str, name: str = "<text>") -> ImportResult:
    """Import text that never was a file (the CLI's stdin); `name` is only a hint and the source label."""
    return _load(text, name, name.lower())


def _load(text: str, name: str, hint: str) -> ImportResult:
    result = ImportResult(name)
    try:
        module, payload = _detect(text, hint)
        result.format = module.FORMAT
        result.exchanges = module.to_exchanges(payload, name)
        if not result.exchanges:
            raise FormatError("the file holds no exchange")
    except FormatError as exc:
        result.error = str(exc)
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
        raise FormatError("empty file")
    if "\0" in head[:4096]:
        raise FormatError("binary content (NUL bytes), not a recording")
    structured = hint.endswith(_YAML_EXT) or hint.endswith(".json")
    if _sse_shaped(body) and not structured or hint.endswith(_SSE_EXT) and head[0] not in "{[":
        return sse_text, body
    if hint.endswith(_JSONL_EXT):
        return jsonl_events, body
    if head[0] in "{[":
        try:
            doc = json.loads(body)
        except ValueError as exc:
            if _jsonl_shaped(body):
                return jsonl_events, body
            if not hint.endswith(_YAML_EXT):
                raise FormatError(f"JSON syntax error: {exc}") from None
        else:
            return _structured(doc, body, from_yaml=False)
    try:
        doc = yaml.load(body, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise FormatError(f"YAML syntax error: {' '.join(str(exc).split())}") from None
    return _structured(doc, body, from_yaml=True)


def _structured(doc: Any, raw: str, from_yaml: bool) -> tuple[Any, Any]:
    for module in (test_proxy, har, vcr_yaml, openapi_examples):
        if module.matches(doc):
            return module, doc
    # Any JSON document may be a (malformed) body worth judging; an arbitrary YAML file is not.
    if isinstance(doc, (dict, list)) and (not from_yaml or json_body.looks_like_body(doc)):
        return _JsonBody(raw if not from_yaml else None), doc
    what = f"a mapping with keys {sorted(map(str, doc))[:8]}" if isinstance(doc, dict) else f"a {type(doc).__name__}"
    raise FormatError(f"unknown format: not a recording or response body ({'YAML' if from_yaml else 'JSON'} {what})")


class _JsonBody:
    """json_body bound to the raw text it came from."""

    FORMAT = json_body.FORMAT

    def __init__(self, raw: str | None) -> None:
        self.raw = raw

    def to_exchanges(self, obj: Any, source: str) -> list[Exchange]:
        return json_body.to_exchanges(obj, source, self.raw)


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
    lines = [ln for ln in text.split("\n") if ln.strip()]
    try:
        return len(lines) > 1 and all(isinstance(json.loads(ln), dict) for ln in lines[:20])
    except ValueError:
        return False
