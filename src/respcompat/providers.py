"""Load provider profiles (providers/<name>.yaml), validated against schemas/_meta/profile.schema.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from . import PROJECT_ROOT

PROVIDERS_DIR = PROJECT_ROOT / "providers"
PROFILE_SCHEMA = PROJECT_ROOT / "schemas" / "_meta" / "profile.schema.json"


class ProfileError(ValueError):
    """A profile file that cannot be read, breaks the meta-schema or cites an unknown doc key."""


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    contract: str
    docs: dict[str, dict[str, Any]]
    api_key_env: str | None
    auth: dict[str, Any]
    default_model: str | None
    base_urls: list[dict[str, Any]]
    endpoints: dict[str, dict[str, Any] | None]
    stream: dict[str, Any]
    deviations: list[dict[str, Any]] = field(default_factory=list)
    contradictions: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "hosted"
    sources: dict[str, str] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    unlisted_parameters: dict[str, Any] | None = None
    parameter_notes: list[dict[str, Any]] = field(default_factory=list)  # migration.py reads them
    limits: dict[str, Any] | None = None  # timeouts, deadline, retries, rate, budgets (transport.Limits)
    path: Path | None = None

    def doc(self, key: str) -> dict[str, Any]:
        """The `docs` entry (url, title, ...) for a source key."""
        try:
            return self.docs[key]
        except KeyError:
            raise KeyError(f"{self.name}: unknown doc key {key!r}; known: {', '.join(sorted(self.docs))}") from None

    def base_url(self, region: str | None = None) -> str:
        """The default base URL, or the current one for `region`."""
        urls = self.base_urls
        if region is not None:
            urls = [u for u in urls if u["region"] == region]
            if not urls:
                known = sorted({u["region"] for u in self.base_urls})
                raise ValueError(f"{self.name}: no base URL for region {region!r}; known: {', '.join(known)}")
        current = lambda u: u.get("status", "current") == "current"  # noqa: E731
        # A URL with a {placeholder} (a workspace id) is usable only once filled in: prefer a literal one.
        for pick in (lambda u: u.get("default"), lambda u: current(u) and "{" not in u["url"], current, lambda u: True):
            for u in urls:
                if pick(u):
                    return u["url"]
        raise ValueError(f"{self.name}: no base URL")  # unreachable: minItems 1

    def contradiction(self, cid: str) -> dict[str, Any] | None:
        return next((c for c in self.contradictions if c["id"] == cid), None)


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROVIDERS_DIR.glob("*.yaml"))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads(PROFILE_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path) if path else ""


def _doc_refs(node: Any, path: tuple = ()) -> Iterator[tuple[str, str]]:
    """(pointer, key) for every `source` value anywhere in the profile."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "source" and isinstance(v, str):
                yield _pointer(path + (k,)), v
            elif k == "sources" and isinstance(v, dict) and not path:
                for name, key in v.items():
                    yield _pointer(("sources", name)), key
            else:
                yield from _doc_refs(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _doc_refs(v, path + (i,))


def validate_profile_data(data: Any, where: str) -> None:
    """Raise ProfileError naming `where` and the JSON pointer of the first problem."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ProfileError(f"{where}: at {_pointer(e.absolute_path) or '/'}: {e.message}{more}")
    docs = data.get("docs") or {}
    for pointer, key in _doc_refs(data):
        if key not in docs:
            raise ProfileError(f"{where}: at {pointer}: doc key {key!r} is not in docs ({', '.join(sorted(docs))})")
    ids = [c["id"] for c in data.get("contradictions") or []]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ProfileError(f"{where}: duplicate contradiction ids {sorted(dup)}")


def read_profile(path: Path) -> Profile:
    """Read and validate one profile file (uncached)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from exc
    validate_profile_data(data, str(path))
    if data["name"] != path.stem:
        raise ProfileError(f"{path}: at /name: {data['name']!r} differs from the file name {path.stem!r}")
    return Profile(path=path, **data)


@cache
def load_profile(name: str) -> Profile:
    """The validated profile called `name`; ValueError listing the known names if there is none."""
    known = profile_names()
    if name not in known:
        raise ValueError(f"unknown provider {name!r}; known: {', '.join(known)}")
    return read_profile(PROVIDERS_DIR / f"{name}.yaml")
