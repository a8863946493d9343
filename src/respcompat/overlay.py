"""Schema overlays: JSON-pointer patch ops, and the composition of a contract along its base chain."""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import PROJECT_ROOT

SCHEMAS_DIR = Path(os.environ.get("RESPCOMPAT_SCHEMAS_DIR", PROJECT_ROOT / "schemas"))
BASE_URI = "https://respcompat.dev/schemas/"
ANNOTATIONS = ("x-source", "x-erratum", "x-note")

# JSON pointers and overlay ops -----------------------------------------------------------------


def _unescape(tok: str) -> str:
    return tok.replace("~1", "/").replace("~0", "~")


def _escape(tok: Any) -> str:
    return str(tok).replace("~", "~0").replace("/", "~1")


def pointer_of(parts) -> str:
    return "".join("/" + _escape(p) for p in parts)


def resolve_pointer(doc: Any, pointer: str) -> Any:
    """The node at `pointer`; KeyError/IndexError if absent."""
    node = doc
    for tok in [_unescape(t) for t in pointer.split("/")[1:]] if pointer else []:
        node = node[int(tok)] if isinstance(node, list) else node[tok]
    return node


def _stamp(value: Any, change: dict) -> Any:
    if isinstance(value, dict):
        if change.get("source"):
            value["x-source"] = change["source"]
        if change.get("note"):
            value["x-note"] = change["note"]
    return value


_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def _stamp_schema_at(doc: dict, parts: list[str], change: dict) -> None:
    """Stamp the schema node at `parts`, climbing out of name->schema maps (x-source is no property name)."""
    while parts and parts[-1] in _MAPS:
        parts = parts[:-1]
    _stamp(resolve_pointer(doc, pointer_of(parts)), change)


def apply_change(doc: dict, change: dict) -> None:
    """Apply one overlay op (replace/add/remove/merge/require/unrequire) in place, stamping x-source/x-note."""
    op, path = change["op"], change.get("path", "")
    parts = [_unescape(t) for t in path.split("/")[1:]] if path else []
    if op in ("require", "unrequire", "merge") or (op == "replace" and not parts):
        node = resolve_pointer(doc, path)
        if op == "replace":  # whole document
            node.clear()
            node.update(_stamp(copy.deepcopy(change["value"]), change))
        elif op == "merge":
            node.update(copy.deepcopy(change["value"]))
            _stamp_schema_at(doc, parts, change)
        else:
            req = node.setdefault("required", [])
            names = change["names"]
            node["required"] = (
                [n for n in req if n not in names] if op == "unrequire" else req + [n for n in names if n not in req]
            )
            if not node["required"]:
                del node["required"]
            _stamp(node, change)
        return
    parent = resolve_pointer(doc, pointer_of(parts[:-1]))
    key = parts[-1]
    if op == "remove":
        if isinstance(parent, list):
            del parent[int(key)]
        else:
            del parent[key]
        _stamp_schema_at(doc, parts[:-1], change)  # the enclosing schema records who removed something
        return
    value = _stamp(copy.deepcopy(change["value"]), change)
    if op == "add" and isinstance(parent, list):
        parent.insert(len(parent) if key == "-" else int(key), value)
    elif op in ("add", "replace"):
        if op == "replace" and (key not in parent if isinstance(parent, dict) else int(key) >= len(parent)):
            raise KeyError(f"replace: nothing at {path}")
        parent[int(key) if isinstance(parent, list) else key] = value
    else:
        raise ValueError(f"unknown overlay op {op!r}")


# composition -----------------------------------------------------------------------------------


def _contract_dir(name: str, roots: tuple[Path, ...]) -> Path:
    for root in roots:
        if (root / name / "contract.json").is_file():
            return root / name
    raise KeyError(f"no contract {name!r} under {[str(r) for r in roots]}")


def _read_files(cdir: Path) -> Iterator[tuple[str, dict]]:
    for path in sorted(cdir.rglob("*.json")):
        rel = path.relative_to(cdir).as_posix()
        if rel != "contract.json":
            yield rel, json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _composed(name: str, roots: tuple[Path, ...]) -> tuple[dict, dict[str, dict]]:
    """(contract.json, {relative path: schema}) for `name`, overlays applied along its base chain."""
    cdir = _contract_dir(name, roots)
    meta = json.loads((cdir / "contract.json").read_text(encoding="utf-8"))
    files = copy.deepcopy(_composed(meta["base"], roots)[1]) if meta.get("base") else {}
    for rel, doc in _read_files(cdir):
        if "overlay" in doc:
            target = files[doc["overlay"]]
            for change in doc.get("changes", []):
                apply_change(target, change)
        else:
            files[rel] = doc
    for rel, doc in files.items():
        doc["$id"] = f"{BASE_URI}{name}/{rel}"
    return meta, files


def contract_names(root: Path | None = None) -> list[str]:
    root = root or SCHEMAS_DIR
    return sorted(p.parent.name for p in root.glob("*/contract.json"))
