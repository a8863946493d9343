"""vcrpy configuration for respcompat cassettes: matching, scrubbing at write time, readable SSE, provenance."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister
from vcr.serialize import serialize as vcr_serialize
from vcr.serializers import yamlserializer

from . import PROJECT_ROOT
from .exchange import INFRA_HEADER, classify_endpoint
from .safe_yaml import BoundedMixin
from .scrub import (
    REDACTED,
    SECRET_HEADERS,
    credentials_in_request,
    guard,
    register_secret,
    scrub_body,
    scrub_headers,
    scrub_text,
    scrub_url,
)
from .transport import take_cut_note

CASSETTES_DIR = PROJECT_ROOT / "cassettes"
DOCUMENTATION = "documentation"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def read_provenance(path: str | Path) -> dict[str, Any] | None:
    """The `respcompat:` block of a cassette, or None when the file is absent or has none."""
    p = Path(path)
    if not p.is_file():
        return None
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        return None
    block = data.get("respcompat") if isinstance(data, dict) else None
    return block if isinstance(block, dict) else None


def cassette_kind(path: str | Path) -> str | None:
    """`live`, `local-server` or `documentation` (None: no cassette or no provenance)."""
    block = read_provenance(path) or {}
    return (block.get("provenance") or {}).get("kind")


# --- matching -------------------------------------------------------------------------------------------------


def _parsed(body: Any) -> Any:
    if isinstance(body, bytearray):
        body = bytes(body)
    if not body:
        return None
    return _parsed_text(body) if isinstance(body, (bytes, str)) else body


@lru_cache(maxsize=512)  # vcrpy compares each request with every recorded one: a long hunt re-parsed the same bodies
def _parsed_text(body: bytes | str) -> Any:
    """The parsed JSON body (compared, never changed), or the text itself when it is not JSON."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def json_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the bodies are equal as parsed JSON (key order and whitespace do not matter)."""
    a, b = _parsed(r1.body), _parsed(r2.body)
    assert a == b, (
        f"JSON bodies differ: {json.dumps(a, ensure_ascii=False)[:200]} != {json.dumps(b, ensure_ascii=False)[:200]}"
    )


def endpoint(r1: Any, r2: Any) -> None:
    """vcrpy matcher for documentation cassettes: same endpoint (create, retrieve, ...) whatever the base path or id."""
    e1, e2 = classify_endpoint(r1.method, r1.path), classify_endpoint(r2.method, r2.path)
    assert e1 == e2, f"endpoint {e1} != {e2}"


MATCHERS: dict[str, Callable[[Any, Any], None]] = {"json_body": json_body, "endpoint": endpoint}


def match_on(kind: str | None) -> tuple[str, ...]:
    """Recorded traffic matches on method, path and JSON body; a transcribed doc example on method and endpoint."""
    return ("method", "endpoint") if kind == DOCUMENTATION else ("method", "path", "json_body")


# --- scrubbing ------------------------------------------------------------------------------------------------


def _scrub_body(body: Any, secrets: list[str]) -> Any:
    """Scrub a request/response body, keeping JSON as compact JSON and text (SSE) as text."""
    return scrub_body(body, secrets)


class Scrubber:
    """`before_record_request` / `before_record_response` hooks that remove credentials before anything is written."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        self.secrets = [s for s in (secrets or []) if s]

    def request(self, request: Any) -> Any:
        # Whatever the request carried as a credential is scrubbed by value everywhere from now on.
        for value in credentials_in_request(dict(request.headers), request.uri):
            register_secret(value)
        for name in list(request.headers):
            if name.lower() in SECRET_HEADERS:
                request.headers[name] = REDACTED
        request.uri = scrub_text(scrub_url(request.uri), self.secrets)
        try:
            request.body = _scrub_body(request.body, self.secrets)
        except UnicodeDecodeError:
            pass  # a binary body cannot carry a text key we could find
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        response["headers"] = scrub_headers(response.get("headers") or {}, self.secrets)
        cut = take_cut_note()
        if cut:  # the body below is what arrived before the cut; replay reports the same infrastructure error
            response["headers"][INFRA_HEADER] = [cut]
        body = response.get("body") or {}
        try:
            clean = _scrub_body(body.get("string"), self.secrets)
        except UnicodeDecodeError:
            return response
        if clean != body.get("string"):
            body["string"] = clean
            for name in response["headers"]:
                if name.lower() == "content-length":  # the body is shorter now; replay must not expect more
                    response["headers"][name] = [str(len(clean))]
        return response


def vcr_config(kind: str | None, secrets: list[str] | None = None) -> dict[str, Any]:
    """Keyword arguments for `VCR.use_cassette` (the shape pytest-recording's `vcr_config` fixture returns)."""
    scrubber = Scrubber(secrets)
    return {
        "match_on": match_on(kind),
        "before_record_request": scrubber.request,
        "before_record_response": scrubber.response,
        "decode_compressed_response": True,
        # A documentation cassette may answer a flow's repeated calls to one endpoint.
        "allow_playback_repeats": kind == DOCUMENTATION,
    }


# --- serializing ----------------------------------------------------------------------------------------------


class _Loader(BoundedMixin, yamlserializer._CassetteLoader):
    """vcrpy's safe cassette loader, refusing alias bombs and deep nesting (respcompat.safe_yaml)."""


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (SSE bodies) as literal blocks, so a cassette reads like the wire."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Lines with trailing blanks or CR would not survive a literal block; PyYAML then quotes them itself.
    if "\n" in value and "\r" not in value and not any(line != line.rstrip() for line in value.split("\n")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


class Serializer:
    """vcrpy serializer (registered as `yaml`): readable literal blocks in, vcrpy's safe loader out."""

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        return yaml.dump(cassette_dict, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)

    @staticmethod
    def deserialize(cassette_string: str) -> Any:
        return yaml.load(cassette_string, Loader=_Loader)


# --- provenance -----------------------------------------------------------------------------------------------


def provenance(case_id: str, *, model: str | None, base_url: str | None, note: str | None = None) -> dict[str, Any]:
    """The `respcompat:` block for a cassette recorded now from `base_url` (never with credentials)."""
    host = urlsplit(base_url or "").hostname or ""
    prov: dict[str, Any] = {
        "kind": "local-server" if host in LOOPBACK else "live",
        "date": datetime.now(timezone.utc).date().isoformat(),
        "model": model,
        "base_url": scrub_url(base_url) if base_url else None,
    }
    if note:
        prov["note"] = note
    return {"case": case_id, "provenance": prov}


class _WithBlock:
    """Adds the `respcompat:` block to what vcrpy serializes (one YAML document, vcrpy ignores the extra key)."""

    def __init__(self, inner: Any, block: dict[str, Any]) -> None:
        self.inner, self.block = inner, block

    def serialize(self, data: dict[str, Any]) -> str:
        return self.inner.serialize({**data, "respcompat": self.block})


class ProvenancePersister:
    """Loads like vcrpy's persister (or the one it wraps); saves scrubbed YAML plus the `respcompat:` block."""

    def __init__(
        self,
        block_for: Callable[[Path], dict[str, Any]],
        secrets: list[str] | None = None,
        inner: Any = FilesystemPersister,
        fresh: bool = False,
    ) -> None:
        self.block_for = block_for
        self.secrets = [s for s in (secrets or []) if s]
        self.inner = inner
        self.fresh = fresh

    def load_cassette(self, cassette_path: Any, serializer: Any) -> Any:
        if self.fresh:
            # Record mode `all`: vcrpy would keep the old interactions this run does not repeat, so a cassette would
            # mix two runs (and a Hypothesis cassette, replayed in order, would replay the stale ones). Start empty;
            # a case that sends nothing (skipped, a documentation example) saves nothing and leaves its file alone.
            raise CassetteNotFoundError(str(cassette_path))
        return self.inner.load_cassette(cassette_path, serializer)

    def save_cassette(self, cassette_path: Any, cassette_dict: dict[str, Any], serializer: Any) -> None:
        path = Path(cassette_path)
        block = self.block_for(path)
        text = vcr_serialize(cassette_dict, _WithBlock(serializer, block))
        path.parent.mkdir(parents=True, exist_ok=True)
        # Last line of defence: the key itself, and anything key-shaped, never reaches the disk.
        path.write_text(guard(scrub_text(text, self.secrets), path, self.secrets), encoding="utf-8")


def configure(
    vcr: Any, block_for: Callable[[Path], dict[str, Any]], secrets: list[str] | None = None, fresh: bool = False
) -> None:
    """Register our matchers, serializer and persister on a VCR instance (pytest-recording's configure hook).
    `fresh`: record mode `all`, where a case's recording replaces its cassette instead of adding to it."""
    for name, matcher in MATCHERS.items():
        vcr.register_matcher(name, matcher)
    vcr.register_serializer("yaml", Serializer())
    vcr.register_persister(ProvenancePersister(block_for, secrets, inner=vcr.persister, fresh=fresh))
