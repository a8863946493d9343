"""Load JSON Schema contracts (openai + provider overlays), compose them, and validate documents against them."""

from __future__ import annotations

import copy
import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import jsonschema
from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7, DRAFT202012

SCHEMAS_DIR = Path(os.environ.get("RESPCOMPAT_SCHEMAS_DIR", Path(__file__).resolve().parents[2] / "schemas"))
BASE_URI = "https://respcompat.dev/schemas/"
KIND_FILES = {
    "request": "objects/create_request.json",
    "response": "objects/response.json",
    "error": "objects/error.json",
    "deleted": "objects/deleted.json",
    "input_items": "objects/input_items.json",
}
KINDS = (*KIND_FILES, "event")
ANNOTATIONS = ("x-source", "x-erratum", "x-note")
_MAX_ACTUAL = 200


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


# --- JSON pointers and overlay ops -----------------------------------------------------------------


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
            node["required"] = [n for n in req if n not in names] if op == "unrequire" else req + [n for n in names if n not in req]
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


# --- composition -----------------------------------------------------------------------------------


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


@functools.lru_cache(maxsize=None)
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


def _short(v: Any) -> Any:
    text = json.dumps(v, ensure_ascii=False, default=str)
    return v if len(text) <= _MAX_ACTUAL else text[:_MAX_ACTUAL] + "..."


def _show(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


class Contract:
    """A composed contract with its validators compiled once per schema file."""

    def __init__(self, name: str, meta: dict, files: dict[str, dict]):
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
            resources.append((doc["$id"], Resource(contents=doc, specification=spec)))
        self.registry = Registry().with_resources(resources).crawl()
        keywords = {"x-dispatch": self._x_dispatch, "x-contradiction": self._x_contradiction}
        self._cls202012 = jsonschema.validators.extend(Draft202012Validator, keywords)
        self._cls7 = jsonschema.validators.extend(Draft7Validator, keywords)
        self._validators: dict[str, Any] = {}
        self._fast = _FastCompiler(self)
        self.types = {d: sorted(p[len(d) + 1:-5] for p in files if p.startswith(d + "/")) for d in ("items", "content", "events")}

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
            err = ValidationError(f"unknown {kind} type {t!r}", validator="x-dispatch", validator_value=known,
                                  instance=t, schema=schema)
            err.path.append("type")
            yield err
            return
        yield from validator.descend(instance, target, schema_path=t)

    def _x_contradiction(self, validator, cid, instance, schema):
        branches = schema.get("anyOf", [])
        matched = [b for b in branches if not any(True for _ in validator.descend(instance, b))]
        if matched and len(matched) < len(branches):
            src = lambda bs: [b.get("x-source") for b in bs if isinstance(b, dict)]  # noqa: E731
            err = ValidationError(f"doc contradiction {cid}", validator="x-contradiction", validator_value=cid,
                                  instance=instance, schema=schema)
            err.contradiction = {"id": cid, "matched": src(matched), "unmatched": src([b for b in branches if b not in matched])}
            yield err

    # public --------------------------------------------------------------------------------------
    def file_for(self, kind: str, doc: Any) -> str | None:
        if kind == "event":
            t = doc.get("type") if isinstance(doc, dict) else None
            return f"events/{t}.json" if isinstance(t, str) and f"events/{t}.json" in self.files else None
        return KIND_FILES[kind]

    def validate(self, kind: str, doc: Any) -> ValidationResult:
        """Validate one document of `kind` (request|response|error|deleted|input_items|event)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        rel = self.file_for(kind, doc)
        if rel is None:  # event of an unknown type (or not an object)
            t = doc.get("type") if isinstance(doc, dict) else None
            msg = f"unknown event type {t!r}" if isinstance(doc, dict) else f"expected object, got {_json_type(doc)}"
            return ValidationResult([SchemaError("/type" if isinstance(doc, dict) else "", msg, "x-dispatch",
                                                 self.types["events"], _short(t), "", f"{self.name}:events")])
        # Sound for the draft-07 request file too: there $ref siblings are ignored, so compiling them only
        # makes the fast path stricter, never laxer.
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
            msg = f"expected {' or '.join(val) if isinstance(val, list) else val}, got {_json_type(inst)} {_show(inst)}"
        elif kw == "required":
            # jsonschema yields one error per missing name but keeps the name only in its message
            name = err.message.split(" is a required property")[0].strip("'\"")
            path.append(name)
            msg, expected, actual = f"missing required property {name!r}", name, None
        elif kw in ("enum", "const"):
            msg = f"expected {'one of ' + _show(val) if kw == 'enum' else _show(val)}, got {_show(inst)}"
        elif kw in ("anyOf", "oneOf") and err.context and all(c.validator == "type" for c in err.context):
            types = [c.validator_value for c in err.context]
            flat = [t for ts in types for t in (ts if isinstance(ts, list) else [ts])]
            expected = flat
            msg = f"expected {' or '.join(flat)}, got {_json_type(inst)} {_show(inst)}"
            kw = "type"
        elif kw == "additionalProperties":
            extra = [k for k in inst if k not in err.schema.get("properties", {})] if isinstance(inst, dict) else []
            msg, expected, actual = f"unexpected propert{'ies' if len(extra) > 1 else 'y'} {', '.join(map(repr, extra))}", False, extra
        elif kw == "x-dispatch":
            known = ", ".join(val[:12]) + (", ..." if len(val) > 12 else "")
            msg = f"{err.message} (known: {known})"
        elif kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems"):
            msg = f"{kw} {val}, got {_show(inst)}"
        elif kw == "x-contradiction":
            msg = err.message
        else:
            msg = err.message if len(err.message) <= 160 else err.message[:157] + "..."
        where = self._where.get(id(err.schema), (rel, ""))
        return SchemaError(
            pointer=pointer_of(path), message=msg, keyword=kw, expected=expected, actual=actual,
            schema_path=f"{where[0]}#{where[1]}", source=self._nearest(where, "x-source") or f"openai:{where[0]}",
            erratum=self._nearest(where, "x-erratum"), contradiction=getattr(err, "contradiction", None), file=where[0],
        )

    def _nearest(self, where: tuple[str, str], key: str) -> Any:
        """The closest `key` annotation on the schema node or its ancestors within its file."""
        rel, ptr = where
        doc = self.files.get(rel)
        parts = ptr.split("/")
        for n in range(len(parts), 0, -1):
            try:
                node = resolve_pointer(doc, "/".join(parts[:n]))
            except (KeyError, IndexError, ValueError, TypeError):
                continue
            if isinstance(node, dict) and key in node:
                return node[key]
        return None

    def overlay_source(self, schema_path: str) -> str | None:
        """The nearest non-generated `x-source` at `file#pointer` in this contract (what an overlay stamped)."""
        rel, _, ptr = schema_path.partition("#")
        doc = self.files.get(rel)
        if doc is None:
            return None
        parts = ptr.split("/")
        for n in range(len(parts), 0, -1):
            try:
                node = resolve_pointer(doc, "/".join(parts[:n]))
            except (KeyError, IndexError, ValueError, TypeError):
                continue
            src = node.get("x-source") if isinstance(node, dict) else None
            if src and not str(src).startswith("openai:"):
                return src
        return None


# --- fast path -------------------------------------------------------------------------------------
# jsonschema's iter_errors costs ~100 us per small event; almost every document is valid. Schemas are
# compiled to plain closures answering only "valid?"; a False (or any keyword the compiler does not
# know) falls back to jsonschema for the precise errors, so the fast path can never hide an error.

_IGNORED = {"$schema", "$id", "$defs", "definitions", "default", "title", "description", "deprecated", "format",
            "readOnly", "writeOnly", "examples", "$comment", "contentMediaType", "contentEncoding", *ANNOTATIONS}


def _is_type(inst: Any, t: str) -> bool:
    if t == "string":
        return isinstance(inst, str)
    if t == "object":
        return isinstance(inst, dict)
    if t == "array":
        return isinstance(inst, list)
    if t == "null":
        return inst is None
    if t == "boolean":
        return isinstance(inst, bool)
    if isinstance(inst, bool):
        return False
    if t == "integer":  # jsonschema counts 3.0 as an integer
        return isinstance(inst, int) or (isinstance(inst, float) and inst.is_integer())
    return t == "number" and isinstance(inst, (int, float))


def _never(inst: Any) -> bool:
    return False


class _FastCompiler:
    """Compiles a contract's 2020-12 schemas into `inst -> bool` closures (memoized per schema node)."""

    def __init__(self, contract: "Contract"):
        self.contract = contract
        self.by_uri = {doc["$id"]: doc for doc in contract.files.values()}
        self.fns: dict[int, Any] = {}

    def for_file(self, rel: str):
        doc = self.contract.files[rel]
        return self.compile(doc, doc["$id"])

    def compile(self, node: Any, base: str):
        key = id(node)
        fn = self.fns.get(key)
        if fn is None:
            self.fns[key] = lambda inst: self.fns[key](inst)  # placeholder for recursive refs
            fn = self.fns[key] = self._build(node, base)
        return fn

    def _ref(self, ref: str, base: str):
        from urllib.parse import urldefrag, urljoin

        url, frag = urldefrag(urljoin(base, ref))
        doc = self.by_uri.get(url)
        if doc is None:
            return _never
        return self.compile(resolve_pointer(doc, frag), url)

    def _build(self, node: Any, base: str):
        if node is True or node == {}:
            return lambda inst: True
        if node is False or not isinstance(node, dict):
            return _never
        checks = []
        for k, v in node.items():
            if k in _IGNORED or k in ("then", "else", "additionalProperties", "patternProperties"):
                continue
            c = self._keyword(k, v, node, base)
            if c is None:
                return _never  # unknown keyword: let jsonschema decide
            checks.append(c)
        if "if" not in node and ("additionalProperties" in node or "patternProperties" in node):
            checks.append(self._additional(node, base))
        if len(checks) == 1:
            return checks[0]
        checks_t = tuple(checks)
        return lambda inst: all(c(inst) for c in checks_t)

    def _keyword(self, k: str, v: Any, node: dict, base: str):
        if k == "type":
            if isinstance(v, str):
                return lambda inst: _is_type(inst, v)
            return lambda inst: any(_is_type(inst, t) for t in v)
        if k == "enum":
            if all(isinstance(x, str) for x in v):
                vs = frozenset(v)
                return lambda inst: isinstance(inst, str) and inst in vs
            from jsonschema._utils import equal
            return lambda inst: any(equal(inst, x) for x in v)
        if k == "const":
            from jsonschema._utils import equal
            return lambda inst: equal(inst, v)
        if k == "required":
            return lambda inst: not isinstance(inst, dict) or all(n in inst for n in v)
        if k == "properties":
            props = tuple((name, self.compile(sub, base)) for name, sub in v.items())
            return lambda inst: not isinstance(inst, dict) or all(f(inst[n]) for n, f in props if n in inst)
        if k == "items":
            if isinstance(v, list):
                return None
            f = self.compile(v, base)
            return lambda inst: not isinstance(inst, list) or all(f(x) for x in inst)
        if k in ("anyOf", "allOf"):
            fs = tuple(self.compile(sub, base) for sub in v)
            if k == "anyOf":
                return lambda inst: any(f(inst) for f in fs)
            return lambda inst: all(f(inst) for f in fs)
        if k == "oneOf":
            fs = tuple(self.compile(sub, base) for sub in v)
            return lambda inst: sum(1 for f in fs if f(inst)) == 1
        if k == "not":
            f = self.compile(v, base)
            return lambda inst: not f(inst)
        if k == "if":
            fi = self.compile(v, base)
            ft = self.compile(node.get("then", True), base)
            fe = self.compile(node.get("else", True), base)
            rest = self._additional(node, base) if ("additionalProperties" in node or "patternProperties" in node) else None
            if rest is None:
                return lambda inst: ft(inst) if fi(inst) else fe(inst)
            return lambda inst: (ft(inst) if fi(inst) else fe(inst)) and rest(inst)
        if k == "$ref":
            return self._ref(v, base)
        if k == "x-dispatch":
            files = self.contract.files
            def dispatch(inst, kind=v):
                if not isinstance(inst, dict):
                    return True
                t = inst.get("type")
                rel = f"{kind}/{t}.json" if isinstance(t, str) else None
                return rel in files and self.for_file(rel)(inst)
            return dispatch
        if k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            import operator
            op = {"minimum": operator.ge, "maximum": operator.le, "exclusiveMinimum": operator.gt, "exclusiveMaximum": operator.lt}[k]
            return lambda inst: isinstance(inst, bool) or not isinstance(inst, (int, float)) or op(inst, v)
        if k in ("minLength", "maxLength"):
            return lambda inst: not isinstance(inst, str) or (len(inst) >= v if k == "minLength" else len(inst) <= v)
        if k in ("minItems", "maxItems"):
            return lambda inst: not isinstance(inst, list) or (len(inst) >= v if k == "minItems" else len(inst) <= v)
        if k in ("minProperties", "maxProperties"):
            return lambda inst: not isinstance(inst, dict) or (len(inst) >= v if k == "minProperties" else len(inst) <= v)
        if k == "pattern":
            import re
            rx = re.compile(v)
            return lambda inst: not isinstance(inst, str) or rx.search(inst) is not None
        if k == "propertyNames":
            f = self.compile(v, base)
            return lambda inst: not isinstance(inst, dict) or all(f(key) for key in inst)
        return None  # x-contradiction and anything else: full validation

    def _additional(self, node: dict, base: str):
        import re
        names = set(node.get("properties", {}))
        pats = [(re.compile(p), self.compile(sub, base)) for p, sub in node.get("patternProperties", {}).items()]
        extra = self.compile(node.get("additionalProperties", True), base)

        def check(inst):
            if not isinstance(inst, dict):
                return True
            for key, val in inst.items():
                hit = False
                for rx, f in pats:
                    if rx.search(key):
                        hit = True
                        if not f(val):
                            return False
                if not hit and key not in names and not extra(val):
                    return False
            return True
        return check


def load_contract(name: str, roots: tuple[Path, ...] | None = None) -> Contract:
    """The composed contract `name` (cached; validators compile once). `roots` are searched before schemas/."""
    return _load(name, tuple(Path(r) for r in (roots or ())) + (SCHEMAS_DIR,))


@functools.lru_cache(maxsize=None)
def _load(name: str, roots: tuple[Path, ...]) -> Contract:
    meta, files = _composed(name, roots)
    return Contract(name, meta, copy.deepcopy(files))


@dataclass
class ContractSet:
    """The two yardsticks a check judges by: the provider's contract and OpenAI's."""

    provider: Contract
    openai: Contract

    @classmethod
    def for_provider(cls, contract_name: str, roots: tuple[Path, ...] | None = None) -> "ContractSet":
        openai_roots = roots if any((Path(r) / "openai").is_dir() for r in roots or ()) else None
        return cls(load_contract(contract_name, roots), load_contract("openai", openai_roots))
