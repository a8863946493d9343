"""Migration advice, offline: what a provider would do with each parameter of an OpenAI create request.

The facts come from one place each: the provider's request contract (documented parameters and their ranges), the
profile's `unlisted_parameters` (what happens to the others) and its `parameter_notes` (what a schema cannot say).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .contracts import MISSING, Contract, SchemaError, load_contract
from .overlay import pointer_of, resolve_pointer
from .preview import render

REQUEST_FILE = "objects/create_request.json"
# Worst first: the order of a summary and of the text view.
VERDICTS = ("out-of-contract", "unlisted-rejected", "unlisted-uncertain", "unlisted-ignored", "noted", "documented")
_VALUE_CHARS = 60


@dataclass(frozen=True)
class ParameterVerdict:
    """What the provider would do with one parameter (path) of one request, and the document that says so."""

    parameter: str  # `temperature`, `reasoning.effort`, `tools[].description`
    verdict: str  # one of VERDICTS
    value: str  # the value sent, rendered short
    source: str | None = None  # `KEY (url)`, or the contract file a rule inherited from OpenAI lives in
    rule: str | None = None  # out-of-contract: the schema keyword; noted: the note's effect
    expected: Any = None  # out-of-contract: what the provider's contract allows
    note: str | None = None  # the contract's message, the profile's note
    instead: str | None = None  # noted: what the provider documents in its place
    openai: bool = True  # OpenAI's contract takes the parameter as sent (False: the app's request is off-spec too)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _short(value: Any) -> str:
    text, complete = render(value, _VALUE_CHARS)
    return text if complete else text[: _VALUE_CHARS - 3] + "..."


def _shown(body: Any, pointer: str) -> str:
    value = _at(body, pointer)
    return MISSING if value is MISSING else _short(value)


def _cite(profile: Any, key: str | None) -> str | None:
    """`KEY (url)` for a doc key of the profile; anything else as it is."""
    url = ((getattr(profile, "docs", None) or {}).get(key) or {}).get("url") if key else None
    return f"{key} ({url})" if url else key


def _path(pointer: str) -> str:
    """`/tools/0/description` -> `tools[].description`: one name for the same parameter across requests."""
    out = ""
    for tok in pointer.split("/")[1:]:
        tok = tok.replace("~1", "/").replace("~0", "~")
        out += "[]" if tok.isdigit() else ("." if out else "") + tok
    return out


def _at(body: Any, pointer: str) -> Any:
    try:
        return resolve_pointer(body, pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        return MISSING


def _properties(contract: Contract) -> dict[str, Any]:
    return contract.files.get(REQUEST_FILE, {}).get("properties", {})


def _names_type(schema: Any, t: str) -> bool:
    prop = schema.get("properties", {}).get("type") if isinstance(schema, dict) else None
    if not isinstance(prop, dict):
        return False
    return prop.get("const") == t or t in (prop.get("enum") or ())


def _narrow(contract: Contract, err: SchemaError, body: Any) -> list[SchemaError]:
    """An anyOf miss on an object with a `type` (a tool, an item): the errors of the branch for that type.

    "matches none of 20 tool shapes" tells a user nothing; "description: expected string, got null" does.
    """
    inst = _at(body, err.pointer)
    rel, _, ptr = err.schema_path.partition("#")
    if err.keyword not in ("anyOf", "oneOf") or not isinstance(inst, dict) or not isinstance(inst.get("type"), str):
        return [err]
    doc = contract.files.get(rel)
    node = _at(doc, ptr) if doc is not None else MISSING
    branches = node.get(err.keyword) if isinstance(node, dict) else None
    for branch in branches if isinstance(branches, list) else ():
        target = branch
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if isinstance(ref, str) and ref.startswith("#/"):
            target = _at(doc, ref[1:])
        if not _names_type(target, inst["type"]):
            continue
        validator = contract.validator(rel)
        # Contract._convert gives the same message, expected/actual and x-source a whole-document error gets.
        found = [contract._convert(e, rel) for e in validator.descend(inst, target)]
        for se in found:
            se.pointer = err.pointer + se.pointer
        return found or [err]
    return [err]


def _errors(contract: Contract, body: dict) -> list[SchemaError]:
    out: list[SchemaError] = []
    for err in contract.validate("request", body).errors:
        out.extend(_narrow(contract, err, body))
    return out


def _values(node: Any, parts: list[str]) -> list[Any]:
    """Every value at a note's path (`tools[].strict` walks each tool); [] when the request does not send it."""
    if not parts:
        return [node]
    name, each = (parts[0][:-2], True) if parts[0].endswith("[]") else (parts[0], False)
    if not isinstance(node, dict) or name not in node:
        return []
    child = node[name]
    if each:
        return [v for item in (child if isinstance(child, list) else []) for v in _values(item, parts[1:])]
    return _values(child, parts[1:])


def _same(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _applies(note: dict, sent: list[Any], body: dict) -> bool:
    if any(not _values(body, p.split(".")) for p in note.get("together_with") or ()):
        return False
    wanted = note.get("values")
    if not sent or not wanted:
        return bool(sent)
    for v in sent:
        for w in wanted:
            if _same(v, w) or (isinstance(v, list) and any(_same(x, w) for x in v)):
                return True
    return False


def _overlaps(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def analyse_request(
    body: dict, profile: Any, contract: Contract, openai: Contract | None = None
) -> list[ParameterVerdict]:
    """One verdict per parameter the request sends (more when a parameter breaks several rules or carries a note)."""
    if not isinstance(body, dict) or REQUEST_FILE not in contract.files:
        return []
    openai = openai or load_contract("openai")
    documented = _properties(contract)
    known_to_openai = _properties(openai)
    errors = _errors(contract, body)
    openai_errors = [e.pointer for e in errors] if openai is contract else [e.pointer for e in _errors(openai, body)]
    rule = getattr(profile, "unlisted_parameters", None) or {}
    notes = getattr(profile, "parameter_notes", None) or []
    out: list[ParameterVerdict] = []
    for name, value in body.items():
        top = pointer_of([name])
        said: list[ParameterVerdict] = []
        if name not in documented:
            handling = rule.get("handling") if rule.get("handling") in ("ignored", "rejected") else "uncertain"
            said.append(
                ParameterVerdict(
                    name,
                    f"unlisted-{handling}",
                    _short(value),
                    _cite(profile, rule.get("source")),
                    note=rule.get("note") or (None if rule else "the profile does not say what happens to it"),
                    openai=name in known_to_openai,
                )
            )
        for e in errors:
            if _overlaps(e.pointer, top):
                said.append(
                    ParameterVerdict(
                        _path(e.pointer),
                        "out-of-contract",
                        _shown(body, e.pointer),
                        _cite(profile, e.source),
                        rule=e.keyword,
                        expected=e.expected,
                        note=e.message,
                        openai=not any(_overlaps(e.pointer, p) for p in openai_errors),
                    )
                )
        for n in notes:
            parts = n["parameter"].split(".")
            if parts[0].removesuffix("[]") != name:
                continue
            sent = _values(body, parts)
            if _applies(n, sent, body):
                said.append(
                    ParameterVerdict(
                        n["parameter"],
                        "noted",
                        _short(sent[0] if len(sent) == 1 else sent),
                        _cite(profile, n.get("source")),
                        rule=n.get("effect"),
                        note=n.get("note"),
                        instead=n.get("instead"),
                        openai=name in known_to_openai,
                    )
                )
        if not said:
            # the property's own stamp: the file's root carries whoever removed something last
            src = documented[name].get("x-source") if isinstance(documented[name], dict) else None
            src = None if str(src).startswith("openai:") else src
            said.append(ParameterVerdict(name, "documented", _short(value), _cite(profile, src)))
        out.extend(said)
    # a rule on a parameter the request does not send (a required one): the loop above never met it
    for e in errors:
        if not any(_overlaps(e.pointer, pointer_of([name])) for name in body):
            out.append(
                ParameterVerdict(
                    _path(e.pointer) or "/",
                    "out-of-contract",
                    _shown(body, e.pointer),
                    _cite(profile, e.source),
                    rule=e.keyword,
                    expected=e.expected,
                    note=e.message,
                    openai=not any(_overlaps(e.pointer, p) for p in openai_errors),
                )
            )
    return out


def summarise(verdicts_over_many_requests: Iterable[list[ParameterVerdict]]) -> dict[str, Any]:
    """Per parameter and verdict: how many requests, an example value, the source; worst verdicts first."""
    rows: dict[tuple, dict[str, Any]] = {}
    requests = 0
    for verdicts in verdicts_over_many_requests:
        requests += 1
        seen: set[tuple] = set()
        for v in verdicts:
            # an out-of-contract message names the value ("got 3"): the rule and its bound group instead
            said = repr(v.expected) if v.verdict == "out-of-contract" else v.note
            key = (v.parameter, v.verdict, v.rule, said, v.source, v.openai)
            row = rows.get(key)
            if row is None:
                row = rows[key] = {
                    "parameter": v.parameter,
                    "verdict": v.verdict,
                    "requests": 0,
                    "example": v.value,
                    "source": v.source,
                    "rule": v.rule,
                    "expected": v.expected,
                    "note": v.note,
                    "instead": v.instead,
                    "openai": v.openai,
                }
            if key not in seen:  # two tools failing the same rule are one request
                seen.add(key)
                row["requests"] += 1
    order = {v: i for i, v in enumerate(VERDICTS)}
    ranked = sorted(rows.values(), key=lambda r: (order.get(r["verdict"], 9), -r["requests"], r["parameter"]))
    return {"requests": requests, "parameters": ranked}
