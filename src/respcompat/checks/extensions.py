"""extension.field: a field the server sends that OpenAI's contract does not define (llama.cpp's `timings`, a
gateway's `provider`), per object and event. Informational (`extension`): never a divergence, always shown, so a
client that starts to depend on it knows it is off the contract."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from ..exchange import Exchange
from ..findings import EXTENSION, Finding
from . import check
from ._wire import esc, finding, payloads
from .schema import body_kind

SOURCE = "OpenAI contract (schemas/openai): no such field"
_MAX_DEPTH = 40


class _Known:
    """What one schema node (with its refs and branches) defines for an instance."""

    __slots__ = ("props", "open", "items")

    def __init__(self) -> None:
        self.props: dict[str, list[tuple[str, Any]]] = {}
        self.open = False
        self.items: list[tuple[str, Any]] = []


def _if_matches(cond: Any, inst: Any) -> bool:
    """A simple `if` (required keys, const/enum properties) against the instance; anything else counts as a match."""
    if not isinstance(cond, dict) or not isinstance(inst, dict):
        return True
    if any(k not in inst for k in cond.get("required") or []):
        return False
    for name, sub in (cond.get("properties") or {}).items():
        if name in inst and isinstance(sub, dict):
            if "const" in sub and inst[name] != sub["const"]:
                return False
            if "enum" in sub and inst[name] not in sub["enum"]:
                return False
    return True


class _Walker:
    def __init__(self, files: dict[str, Any]) -> None:
        self.files = files
        self.memo: dict[tuple, _Known] = {}
        self.flat: dict[tuple, list[str]] = {}  # extension pointers of events with no nested value, by shape

    def resolve(self, rel: str, ref: str) -> tuple[str, Any] | None:
        target, _, pointer = ref.partition("#")
        rel2 = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target)) if target else rel
        node: Any = self.files.get(rel2)
        for part in [p for p in pointer.split("/") if p]:
            node = node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
        return (rel2, node) if node is not None else None

    def known(self, rel: str, node: Any, inst: Any) -> _Known:
        key = (id(node), type(inst).__name__, inst.get("type") if isinstance(inst, dict) else None)
        got = self.memo.get(key)
        if got is None:
            got = _Known()
            self._collect(rel, node, inst, got, 0)
            self.memo[key] = got
        return got

    def _collect(self, rel: str, node: Any, inst: Any, acc: _Known, depth: int) -> None:
        if not isinstance(node, dict) or depth > _MAX_DEPTH:
            if node is True:
                acc.open = True
            return
        if "$ref" in node:
            target = self.resolve(rel, node["$ref"])
            if target is not None:
                self._collect(target[0], target[1], inst, acc, depth + 1)
        kind = node.get("x-dispatch")
        if isinstance(kind, str) and isinstance(inst, dict) and isinstance(inst.get("type"), str):
            rel2 = f"{kind}/{inst['type']}.json"
            if rel2 in self.files:
                self._collect(rel2, self.files[rel2], inst, acc, depth + 1)
        for word in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(word) or []:
                self._collect(rel, branch, inst, acc, depth + 1)
        if "if" in node:  # the spec's discriminated unions: `if type == X then $ref`
            self._collect(
                rel, node.get("then") if _if_matches(node["if"], inst) else node.get("else"), inst, acc, depth + 1
            )
        for name, sub in (node.get("properties") or {}).items():
            acc.props.setdefault(name, []).append((rel, sub))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) or extra is True or node.get("patternProperties"):
            acc.open = True
        if "items" in node:
            acc.items.append((rel, node["items"]))

    def merged(self, schemas: list[tuple[str, Any]], inst: Any) -> _Known:
        """What these schemas together define for `inst` (memoised: the same few shapes recur on every event)."""
        key = (
            tuple(id(n) for _, n in schemas),
            type(inst).__name__,
            inst.get("type") if isinstance(inst, dict) else None,
        )
        got = self.memo.get(key)
        if got is None:
            got = _Known()
            for rel, node in schemas:
                k = self.known(rel, node, inst)
                got.open |= k.open
                for name, subs in k.props.items():
                    got.props.setdefault(name, []).extend(subs)
                got.items.extend(k.items)
            self.memo[key] = got
        return got

    def walk(self, schemas: list[tuple[str, Any]], inst: Any, path: str, out: list[str], depth: int = 0) -> None:
        if depth > _MAX_DEPTH or not isinstance(inst, (dict, list)):
            return
        merged = self.merged(schemas, inst)
        if isinstance(inst, dict):
            for name, value in inst.items():
                subs = merged.props.get(name)
                if subs is not None:
                    if isinstance(value, (dict, list)):  # scalars define nothing further
                        self.walk(subs, value, f"{path}/{esc(name)}", out, depth + 1)
                elif not merged.open and merged.props:
                    out.append(f"{path}/{esc(name)}")
        elif merged.items:
            for i, value in enumerate(inst):
                if isinstance(value, (dict, list)):
                    self.walk(merged.items, value, f"{path}/{i}", out, depth + 1)


def _walker(ctx) -> _Walker | None:
    contract = getattr(getattr(ctx, "contracts", None), "openai", None)
    files = getattr(contract, "files", None)
    if not files:
        return None
    cache = getattr(ctx, "_extension_walker", None)
    if cache is None or cache.files is not files:
        cache = _Walker(files)
        try:
            ctx._extension_walker = cache
        except AttributeError:
            pass
    return cache


def _extension(pointer: str, what: str, event: int | None) -> Finding:
    f = finding(
        "extension.field",
        pointer,
        f"{what} carries a field OpenAI does not define",
        expected="<not in OpenAI's contract>",
        actual=pointer.rsplit("/", 1)[-1],
        event=event,
        source=SOURCE,
    )
    f.classification = EXTENSION
    return f


@check(
    "extension.field",
    description="fields the server sends that OpenAI's contract does not define (informational, per object and event)",
)
def extension_field(exchange: Exchange, ctx) -> Iterator[Finding]:
    walker, resp = _walker(ctx), exchange.response
    if walker is None or resp is None:
        return
    status = resp.status
    if status is not None and not 200 <= status < 300:
        return  # error bodies: the error envelope's own checks
    if resp.events is not None:
        for e in payloads(exchange):
            rel = f"events/{e.type}.json"
            if rel not in walker.files:
                continue  # an unknown event type is schema.event's finding
            flat = not any(isinstance(v, (dict, list)) and v for v in e.data.values())  # [] / {} hold nothing
            shape = (rel, tuple(e.data)) if flat else None  # deltas: same keys, same answer
            out = walker.flat.get(shape) if shape is not None else None
            if out is None:
                out = []
                walker.walk([(rel, walker.files[rel])], e.data, "", out)
                if shape is not None:
                    if len(walker.flat) > 4096:  # bounded: a hostile stream may use a new shape per event
                        walker.flat.clear()
                    walker.flat[shape] = out
            for pointer in out:
                yield _extension(pointer, e.type or "an event", e.index)
        return
    kind = body_kind(exchange) or ""  # a body-only error recording is the error envelope's, not a response's
    body_rel = {
        "response": "objects/response.json",
        "deleted": "objects/deleted.json",
        "input_items": "objects/input_items.json",
    }.get(kind)
    if body_rel is None or body_rel not in walker.files:
        return
    found: list[str] = []
    walker.walk([(body_rel, walker.files[body_rel])], resp.body, "", found)
    for pointer in found:
        yield _extension(pointer, f"the {exchange.endpoint} body", None)
