"""Load JSON Schema contracts (openai + provider overlays), compose them, and validate documents against them."""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7, DRAFT202012

from .fastpath import RustPath, _FastCompiler, scan
from .overlay import (  # noqa: F401  (re-exported: the contract API)
    ANNOTATIONS,
    BASE_URI,
    SCHEMAS_DIR,
    _composed,
    _escape,
    apply_change,
    contract_names,
    pointer_of,
    resolve_pointer,
)
from .preview import clip, render

KIND_FILES = {
    "request": "objects/create_request.json",
    "response": "objects/response.json",
    "error": "objects/error.json",
    "deleted": "objects/deleted.json",
    "input_items": "objects/input_items.json",
}
KINDS = (*KIND_FILES, "event")
_MAX_ACTUAL = 200
MISSING = "<missing>"  # the actual value of an absent property (null would read as "present and null")
# JSON values one document may hold before it is refused unvalidated (real bodies hold a few thousand).
_MAX_VALUES = 1_000_000


class KindNotInContract(LookupError):
    """`Contract.validate` on a kind the contract has no schema for (its spec documents no such object)."""


@dataclass
class SchemaError:
    """One schema violation (or, in `notes`, one doc contradiction), pointing into the instance."""

    pointer: str
    message: str
    keyword: str
    expected: Any = None
    actual: Any = None
    schema_path: str = ""
    source: str | None = None
    erratum: dict | None = None
    contradiction: dict | None = None  # notes only: {"id", "matched": [sources], "unmatched": [sources]}
    file: str = ""  # the contract file the failing schema node lives in


@dataclass
class ValidationResult:
    errors: list[SchemaError] = field(default_factory=list)
    notes: list[SchemaError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- validation ------------------------------------------------------------------------------------


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def _oversized(doc: Any) -> bool:
    """More than _MAX_VALUES values once unfolded (an aliased subtree counts each time it is reached)."""
    return scan(doc, _MAX_VALUES)[0]


def _short(v: Any) -> Any:
    # Bounded: an instance may be huge or an alias bomb; never serialise more than is kept.
    return clip(v, _MAX_ACTUAL)


def _show(v: Any) -> str:
    text, complete = render(v, 60)
    return text if complete else text[:57] + "..."


def _label(branch: Any) -> str:
    """A short name for one anyOf branch: its $ref target, type, const or enum."""
    if not isinstance(branch, dict):
        return str(branch)
    if "$ref" in branch:
        return branch["$ref"].rsplit("/", 1)[-1].removesuffix(".json")
    if "const" in branch:
        return _show(branch["const"])
    if "enum" in branch:
        return "one of " + _show(branch["enum"])
    t = branch.get("type")
    return " or ".join(t) if isinstance(t, list) else str(t or "schema")


class Contract:
    """A composed contract with its validators compiled once per schema file."""

    def __init__(self, name: str, meta: dict, files: dict[str, dict], rust: bool = True):
        self.name, self.meta, self.files = name, meta, files
        self.title = meta.get("title", name)
        self.base = meta.get("base")
        self._where: dict[int, tuple[str, str]] = {}  # id(schema node) -> (file, pointer): sources of errors
        for rel, doc in files.items():
            self._index(rel, doc, "")
        resources = []
        self._draft7 = set()
        for rel, doc in files.items():
            # `$schema` goes: jsonschema would swap in its stock validator class on every descent into a
            # file that names its dialect, and that class knows nothing of x-dispatch.
            if "draft-07" in doc.pop("$schema", ""):
                self._draft7.add(rel)
            spec = DRAFT7 if rel in self._draft7 else DRAFT202012
            resources.append((doc["$id"], Resource(contents=doc, specification=spec)))  # type: ignore[call-arg]
        self.registry = Registry().with_resources(resources).crawl()
        keywords = {"x-dispatch": self._x_dispatch, "x-contradiction": self._x_contradiction}
        self._cls202012 = jsonschema.validators.extend(Draft202012Validator, keywords)
        self._cls7 = jsonschema.validators.extend(Draft7Validator, keywords)
        self._validators: dict[str, Any] = {}
        self._fast = _FastCompiler(self)
        # `rust=False` keeps today's Python-only path (the equivalence tests compare the two)
        self._rust = RustPath(self) if rust and RustPath.available() else None
        self._rust_events: dict[str, Any] = {}  # event type -> jsonschema-rs is_valid (known types only)
        self.types = {
            d: sorted(p[len(d) + 1 : -5] for p in files if p.startswith(d + "/"))
            for d in ("items", "content", "events")
        }

    def _index(self, rel: str, node: Any, ptr: str) -> None:
        if isinstance(node, dict):
            self._where[id(node)] = (rel, ptr)
            for k, v in node.items():
                if k not in ANNOTATIONS and k not in ("enum", "const", "default"):
                    self._index(rel, v, f"{ptr}/{_escape(k)}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                self._index(rel, v, f"{ptr}/{i}")

    def validator(self, rel: str):
        """The compiled validator for one contract file (built on first use, then reused)."""
        v = self._validators.get(rel)
        if v is None:
            doc = self.files[rel]
            cls = self._cls7 if rel in self._draft7 else self._cls202012
            v = self._validators[rel] = cls(doc, registry=self.registry)
        return v

    # custom keywords ------------------------------------------------------------------------------
    def _x_dispatch(self, validator, kind, instance, schema):
        if not isinstance(instance, dict):
            return  # a sibling `type` keyword (if any) reports it; dispatch only judges objects
        t = instance.get("type")
        target = self.files.get(f"{kind}/{t}.json") if isinstance(t, str) else None
        if target is None:
            known = self.types.get(kind, [])
            err = ValidationError(
                f"unknown {kind} type {t!r}", validator="x-dispatch", validator_value=known, instance=t, schema=schema
            )
            err.path.append("type")
            yield err
            return
        yield from validator.descend(instance, target, schema_path=t)

    def _x_contradiction(self, validator, cid, instance, schema):
        branches = schema.get("anyOf", [])
        matched = [b for b in branches if not any(True for _ in validator.descend(instance, b))]
        if matched and len(matched) < len(branches):
            src = lambda bs: [b.get("x-source") for b in bs if isinstance(b, dict)]  # noqa: E731
            err = ValidationError(
                f"doc contradiction {cid}",
                validator="x-contradiction",
                validator_value=cid,
                instance=instance,
                schema=schema,
            )
            err.contradiction = {
                "id": cid,
                "matched": src(matched),
                "unmatched": src([b for b in branches if b not in matched]),
            }
            yield err

    # public --------------------------------------------------------------------------------------
    def has(self, kind: str) -> bool:
        """Whether this contract has a schema for `kind` (Open Responses, e.g., documents no delete result)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        return bool(self.types["events"]) if kind == "event" else KIND_FILES[kind] in self.files

    def file_for(self, kind: str, doc: Any) -> str | None:
        if kind == "event":
            t = doc.get("type") if isinstance(doc, dict) else None
            return f"events/{t}.json" if isinstance(t, str) and f"events/{t}.json" in self.files else None
        return KIND_FILES[kind]

    def validate(self, kind: str, doc: Any) -> ValidationResult:
        """Validate one document of `kind` (request|response|error|deleted|input_items|event)."""
        if kind == "event" and self._rust is not None and type(doc) is dict:
            # The hot path (one call per streamed event): a valid event costs a walk and one call into Rust.
            t = doc.get("type")
            rs = self._rust_events.get(t) if type(t) is str else None
            if rs is None and type(t) is str and f"events/{t}.json" in self.files:
                rs = self._rust_events[t] = self._rust.for_file(f"events/{t}.json")
            if rs is not None and scan(doc, _MAX_VALUES)[1]:
                try:
                    if rs(doc):
                        return ValidationResult()
                except (ValueError, TypeError, OverflowError, RecursionError):
                    pass  # the general path below judges it
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        if not self.has(kind):
            missing = "events/*.json" if kind == "event" else KIND_FILES[kind]
            raise KindNotInContract(
                f"contract {self.name!r} has no {kind!r} schema ({missing}): its spec documents "
                f"none; check Contract.has({kind!r}) before validating"
            )
        oversized, plain = scan(doc, _MAX_VALUES)
        if oversized:
            return ValidationResult(
                [
                    SchemaError(
                        "",
                        f"document too large to validate (more than {_MAX_VALUES} JSON values: a YAML alias bomb?)",
                        "size",
                        f"<= {_MAX_VALUES} values",
                        _short(doc),
                        "",
                        f"{self.name}:{kind}",
                    )
                ]
            )
        rel = self.file_for(kind, doc)
        if rel is None:  # event of an unknown type (or not an object)
            t = doc.get("type") if isinstance(doc, dict) else None
            msg = f"unknown event type {t!r}" if isinstance(doc, dict) else f"expected object, got {_json_type(doc)}"
            return ValidationResult(
                [
                    SchemaError(
                        "/type" if isinstance(doc, dict) else "",
                        msg,
                        "x-dispatch",
                        self.types["events"],
                        _short(t),
                        "",
                        f"{self.name}:events",
                    )
                ]
            )
        if plain and self._rust is not None:
            rs = self._rust.for_file(rel)
            try:
                if rs is not None and rs(doc):
                    return ValidationResult()
            except (ValueError, TypeError, OverflowError, RecursionError):
                pass  # a value it cannot take (a lone surrogate, a non-string key): the Python path judges it
        # Sound for the draft-07 request file too: there $ref siblings are ignored, so compiling them only
        # makes the fast path stricter, never laxer. Also run after jsonschema-rs says no: where it is stricter
        # than jsonschema (a `$` before a final newline), the verdict stays jsonschema's.
        if self._fast.for_file(rel)(doc):
            return ValidationResult()
        result = ValidationResult()
        seen = set()
        for err in self.validator(rel).iter_errors(doc):
            if err.validator == "x-contradiction":
                result.notes.append(self._convert(err, rel))
                continue
            se = self._convert(best_match([err]), rel)
            if (se.pointer, se.keyword) not in seen:
                seen.add((se.pointer, se.keyword))
                result.errors.append(se)
        # An enum beside x-dispatch names the allowed types more exactly than "unknown type": keep one.
        narrowed = {e.pointer for e in result.errors if e.keyword == "enum"}
        result.errors = [e for e in result.errors if not (e.keyword == "x-dispatch" and e.pointer in narrowed)]
        return result

    # error conversion -----------------------------------------------------------------------------
    def _convert(self, err: ValidationError, rel: str) -> SchemaError:
        kw, inst, val = err.validator, err.instance, err.validator_value
        path = list(err.absolute_path)
        expected, actual = val, _short(inst)
        if kw == "type":
            msg = f"expected {' or '.join(val) if isinstance(val, list) else val}, got " + (
                "null" if inst is None else f"{_json_type(inst)} {_show(inst)}"
            )
        elif kw == "required":
            # jsonschema yields one error per missing name but keeps the name only in its message
            name = err.message.split(" is a required property")[0].strip("'\"")
            path.append(name)
            msg, expected, actual = f"missing required property {name!r}", name, MISSING
        elif kw in ("enum", "const"):
            msg = f"expected {'one of ' + _show(val) if kw == 'enum' else _show(val)}, got {_show(inst)}"
        elif kw in ("anyOf", "oneOf") and err.context and all(c.validator == "type" for c in err.context):
            types = [c.validator_value for c in err.context]
            flat = [t for ts in types for t in (ts if isinstance(ts, list) else [ts])]
            expected = flat
            msg = f"expected {' or '.join(flat)}, got " + (
                "null" if inst is None else f"{_json_type(inst)} {_show(inst)}"
            )
            kw = "type"
        elif kw in ("anyOf", "oneOf") and isinstance(val, list):
            expected = [_label(b) for b in val]
            msg = f"matches none of: {', '.join(expected)}; got " + (
                "null" if inst is None else f"{_json_type(inst)} {_show(inst)}"
            )
        elif kw == "additionalProperties":
            extra = [k for k in inst if k not in err.schema.get("properties", {})] if isinstance(inst, dict) else []
            shown = ", ".join(repr(str(k)[:60]) for k in extra[:10]) + (", ..." if len(extra) > 10 else "")
            msg, expected, actual = (
                f"unexpected propert{'ies' if len(extra) > 1 else 'y'} {shown}",
                False,
                _short(extra),
            )
        elif kw == "x-dispatch":
            known = ", ".join(val[:12]) + (", ..." if len(val) > 12 else "")
            msg = f"{err.message} (known: {known})"
        elif kw in (
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
        ):
            msg = f"{kw} {val}, got {_show(inst)}"
        elif kw == "x-contradiction":
            msg = err.message
        else:
            msg = err.message if len(err.message) <= 160 else err.message[:157] + "..."
        where = self._where.get(id(err.schema), (rel, ""))
        return SchemaError(
            pointer=pointer_of(path),
            message=msg,
            keyword=kw,
            expected=expected,
            actual=actual,
            schema_path=f"{where[0]}#{where[1]}",
            source=self._nearest(where, "x-source") or f"openai:{where[0]}",
            erratum=self._nearest(where, "x-erratum"),
            contradiction=getattr(err, "contradiction", None),
            file=where[0],
        )

    def _ancestors(self, rel: str, ptr: str):
        """The schema node at `rel#ptr` and its ancestors within the file, nearest first."""
        doc = self.files.get(rel)
        if doc is None:
            return
        parts = ptr.split("/")
        for n in range(len(parts), 0, -1):
            try:
                node = resolve_pointer(doc, "/".join(parts[:n]))
            except (KeyError, IndexError, ValueError, TypeError):
                continue
            if isinstance(node, dict):
                yield node

    def _nearest(self, where: tuple[str, str], key: str) -> Any:
        """The closest `key` annotation on the schema node or its ancestors within its file."""
        return next((node[key] for node in self._ancestors(*where) if key in node), None)

    def overlay_source(self, schema_path: str) -> str | None:
        """The nearest non-generated `x-source` at `file#pointer` in this contract (what an overlay stamped)."""
        rel, _, ptr = schema_path.partition("#")
        return next(
            (
                node["x-source"]
                for node in self._ancestors(rel, ptr)
                if node.get("x-source") and not str(node["x-source"]).startswith("openai:")
            ),
            None,
        )


def load_contract(name: str, roots: tuple[Path, ...] | None = None) -> Contract:
    """The composed contract `name` (cached; validators compile once). `roots` are searched before schemas/."""
    return _load(name, tuple(Path(r) for r in (roots or ())) + (SCHEMAS_DIR,))


@functools.cache
def _load(name: str, roots: tuple[Path, ...]) -> Contract:
    meta, files = _composed(name, roots)
    return Contract(name, meta, copy.deepcopy(files))


@dataclass
class ContractSet:
    """The two yardsticks a check judges by: the provider's contract and OpenAI's."""

    provider: Contract
    openai: Contract

    @classmethod
    def for_provider(cls, contract_name: str, roots: tuple[Path, ...] | None = None) -> ContractSet:
        openai_roots = roots if any((Path(r) / "openai").is_dir() for r in roots or ()) else None
        return cls(load_contract(contract_name, roots), load_contract("openai", openai_roots))
