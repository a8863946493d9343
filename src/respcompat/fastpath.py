"""Fast paths for validation that answer only "valid?": jsonschema-rs when installed, else closures compiled here.

jsonschema's iter_errors costs ~100 us per small event and almost every document is valid. A False (or any
keyword a fast path cannot express) falls back to jsonschema for the precise errors, so a fast path can
never hide an error.
"""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING, Any

from .overlay import ANNOTATIONS, resolve_pointer

try:  # optional: a compiled wheel; without it the closures below do the job, about 8x slower
    import jsonschema_rs
except ImportError:  # pragma: no cover - exercised by a subprocess test
    jsonschema_rs = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from .contracts import Contract

_IGNORED = {
    "$schema",
    "$id",
    "$defs",
    "definitions",
    "default",
    "title",
    "description",
    "deprecated",
    "format",
    "readOnly",
    "writeOnly",
    "examples",
    "$comment",
    "contentMediaType",
    "contentEncoding",
    *ANNOTATIONS,
}


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

    def __init__(self, contract: Contract):
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
            rest = (
                self._additional(node, base)
                if ("additionalProperties" in node or "patternProperties" in node)
                else None
            )
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

            op = {
                "minimum": operator.ge,
                "maximum": operator.le,
                "exclusiveMinimum": operator.gt,
                "exclusiveMaximum": operator.lt,
            }[k]
            return lambda inst: isinstance(inst, bool) or not isinstance(inst, (int, float)) or op(inst, v)
        if k in ("minLength", "maxLength"):
            return lambda inst: not isinstance(inst, str) or (len(inst) >= v if k == "minLength" else len(inst) <= v)
        if k in ("minItems", "maxItems"):
            return lambda inst: not isinstance(inst, list) or (len(inst) >= v if k == "minItems" else len(inst) <= v)
        if k in ("minProperties", "maxProperties"):
            return lambda inst: (
                not isinstance(inst, dict) or (len(inst) >= v if k == "minProperties" else len(inst) <= v)
            )
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


# --- the walk every document gets before validation ------------------------------------------------------------


def scan(doc: Any, limit: int) -> tuple[bool, bool]:
    """(more than `limit` values once unfolded, plain JSON): one walk for the size guard and jsonschema-rs's input.

    Plain means only dict, list, str, int, bool, None and finite floats: jsonschema-rs accepts a tuple as an array
    and infinity within any bounds, where jsonschema does not, so anything else goes to the Python path. A shared
    (aliased) subtree counts each time it is reached, as jsonschema (and its messages) would walk it.
    """
    budget, plain, stack = limit, True, [doc]
    pop, push = stack.pop, stack.extend
    while stack:
        v = pop()
        budget -= 1
        t = type(v)
        if t is str or t is int or t is bool or v is None:
            continue  # the budget is read below: a scalar adds no work, so stopping at the next container is enough
        if budget < 0:
            return True, False
        if t is dict:
            push(v.values())
        elif t is list:
            push(v)
        elif t is float:
            plain = plain and math.isfinite(v)
        else:
            plain = False
            if isinstance(v, dict):
                push(v.values())
            elif isinstance(v, list):
                push(v)
    return (True, False) if budget < 0 else (False, plain)


# --- jsonschema-rs ------------------------------------------------------------------------------------------------


_DATA = {"enum", "const", "default", "examples", *ANNOTATIONS}  # keywords whose values are data, not schemas
_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}  # name -> schema


def plain_2020(node: Any, contract: Contract) -> Any:
    """A copy of a contract schema in stock 2020-12 that accepts exactly what our extended validator passes cleanly.

    x-dispatch (pick the schema by the object's `type`) becomes an enum of the types plus if/then per type, for
    objects only. x-contradiction (a note when some anyOf branches match and not all) becomes "all branches", so
    a document that would get a note is invalid here and goes to the Python path, which writes the note.
    """
    if isinstance(node, list):
        return [plain_2020(v, contract) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for k, v in node.items():
        if k in _DATA:
            out[k] = copy.deepcopy(v)
        elif k in _MAPS and isinstance(v, dict):
            out[k] = {name: plain_2020(sub, contract) for name, sub in v.items()}
        else:
            out[k] = plain_2020(v, contract)
    kind = out.pop("x-dispatch", None)
    if kind is not None:
        # the same set _x_dispatch looks up: every file under the kind's folder
        types = sorted(
            rel[len(kind) + 1 : -5] for rel in contract.files if rel.startswith(f"{kind}/") and rel.endswith(".json")
        )
        rules: list[Any] = [{"required": ["type"], "properties": {"type": {"enum": types}}}]
        rules += [
            {
                "if": {"properties": {"type": {"const": t}}},
                "then": {"$ref": contract.files[f"{kind}/{t}.json"]["$id"]},
            }
            for t in types
        ]
        out["allOf"] = out.get("allOf", []) + [{"if": {"type": "object"}, "then": {"allOf": rules}}]
    if out.pop("x-contradiction", None) is not None and isinstance(out.get("anyOf"), list):
        out["allOf"] = out.get("allOf", []) + out["anyOf"]
    return out


class RustPath:
    """jsonschema-rs validators for a contract's 2020-12 files (built on first use); None where one cannot serve."""

    def __init__(self, contract: Contract):
        self.contract = contract
        self.registry: Any = None
        self.fns: dict[str, Any] = {}

    @classmethod
    def available(cls) -> bool:
        return jsonschema_rs is not None

    def for_file(self, rel: str):
        """`doc -> bool` for one contract file, or None: no jsonschema-rs, a draft-07 file, or a schema it refuses."""
        if rel in self.fns:
            return self.fns[rel]
        fn = None
        if jsonschema_rs is not None and rel not in self.contract._draft7:
            try:
                if self.registry is None:
                    self.registry = jsonschema_rs.Registry(
                        [(d["$id"], plain_2020(d, self.contract)) for d in self.contract.files.values()]
                    )
                schema = plain_2020(self.contract.files[rel], self.contract)
                fn = jsonschema_rs.Draft202012Validator(
                    schema, registry=self.registry, validate_formats=False
                ).is_valid  # format is an annotation for jsonschema too (no format checker)
            except Exception:  # a schema jsonschema-rs cannot compile: that file keeps the Python path
                fn = None
        self.fns[rel] = fn
        return fn
