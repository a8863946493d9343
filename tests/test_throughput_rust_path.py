"""jsonschema-rs behind Contract.validate: the same errors and notes as the Python-only path on every document we hold.

The corpus: the shipped cassettes, the planted mutations, one-step mutations of the fixture traffic, and the real-world
recordings when present (../shared/realworld). Every contract judges every document it has a schema for.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _realworld import realworld_dir
from planted.traffic import apply_op, base_names, build, load_base

from respcompat import fastpath
from respcompat.checks.schema import body_kind
from respcompat.contracts import Contract, contract_names, load_contract
from respcompat.importers import load_path
from respcompat.overlay import SCHEMAS_DIR, _composed

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOY = HERE / "fixtures" / "contracts"
needs_rs = pytest.mark.skipif(not fastpath.RustPath.available(), reason="jsonschema-rs is not installed")


def python_only(name: str, roots: tuple[Path, ...] = ()) -> Contract:
    """The contract as it validated before jsonschema-rs: a fresh instance with the Rust path off."""
    meta, files = _composed(name, (*roots, SCHEMAS_DIR))
    return Contract(name, meta, copy.deepcopy(files), rust=False)


def documents(exchanges) -> list[tuple[str, object]]:
    """(kind, document) for every request body, response body and event data the exchanges hold."""
    out: list[tuple[str, object]] = []
    for ex in exchanges:
        if ex.request is not None and isinstance(ex.request.body, dict):
            out.append(("request", ex.request.body))
        resp = ex.response
        if resp is None:
            continue
        if resp.events is not None:
            out += [("event", e.data) for e in resp.events if not e.done and e.parse_error is None]
        elif (kind := body_kind(ex)) is not None:
            out.append((kind, resp.body))
    return out


def _one_step_mutations(doc):
    """Each key dropped, each scalar swapped for a wrong type (as tests/test_contracts.py does)."""

    def walk(node, path):
        if isinstance(node, dict):
            for k in list(node):
                yield path + [k]
                yield from walk(node[k], path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, path + [i])

    for path in walk(doc, []):
        for how in ("drop", "swap"):
            out = copy.deepcopy(doc)
            parent = out
            for p in path[:-1]:
                parent = parent[p]
            if how == "drop":
                del parent[path[-1]]
            else:
                v = parent[path[-1]]
                parent[path[-1]] = {"x": 1} if isinstance(v, (str, int, float)) or v is None else 7
            yield out


def _unique(docs):
    seen, out = set(), []
    for kind, doc in docs:
        key = (kind, json.dumps(doc, sort_keys=True, default=repr))
        if key not in seen:
            seen.add(key)
            out.append((kind, doc))
    return out


def recorded() -> list[tuple[str, object]]:
    """The shipped cassettes and the planted mutations (each distinct document once)."""
    docs = []
    for result in load_path(ROOT / "cassettes"):
        docs += documents(result.exchanges)
    for path in sorted((HERE / "planted" / "mutations").glob("*.yaml")):
        for m in yaml.safe_load(path.read_text(encoding="utf-8"))["mutations"]:
            base = copy.deepcopy(load_base(m["base"]))
            for op in m.get("ops", []):
                try:
                    apply_op(base, op)
                except (KeyError, IndexError, ValueError, TypeError):
                    continue  # an op meant for another shape: the mutation's own test covers it
            docs += documents(build(base, m["id"]))
    return _unique(docs)


def mutated() -> list[tuple[str, object]]:
    """Every one-step mutation of every fixture document: mostly invalid, each in its own way."""
    docs = []
    for name in base_names():
        for kind, doc in documents(build(load_base(name), name)):
            docs += [(kind, m) for m in _one_step_mutations(doc)]
    return _unique(docs)


def compare(contracts: list[tuple[Contract, Contract]], docs, both: bool = True) -> dict:
    """Assert both paths agree on every document; count what jsonschema-rs accepted on its own.

    `both=False` runs the Rust path only where jsonschema-rs accepts: where it refuses, the fallback is the Python
    path's own code, so only its acceptances can differ (and halving the work keeps the mutation test short).
    """
    seen = {"docs": 0, "rust_accepted": 0, "rust_stricter": 0}
    for fast, slow in contracts:
        for kind, doc in docs:
            if not fast.has(kind):
                continue
            want = slow.validate(kind, doc)
            if both:
                got = fast.validate(kind, doc)
                assert (got.errors, got.notes) == (want.errors, want.notes), (fast.name, kind, doc)
            seen["docs"] += 1
            rel = fast.file_for(kind, doc)
            rs = fast._rust.for_file(rel) if rel and fast._rust else None
            if rs is None or not fastpath.scan(doc, 10**6)[1]:
                continue
            try:
                accepted = rs(doc)
            except ValueError:
                continue
            # the property the fast path rests on: what Rust accepts has no error and no note in Python
            assert not accepted or (want.errors, want.notes) == ([], []), (fast.name, kind, doc)
            if accepted and not both:
                got = fast.validate(kind, doc)
                assert (got.errors, got.notes) == ([], []), (fast.name, kind, doc)
            seen["rust_accepted"] += accepted
            seen["rust_stricter"] += not accepted and not want.errors and not want.notes
    return seen


def _pairs() -> list[tuple[Contract, Contract]]:
    pairs = [(load_contract(n), python_only(n)) for n in contract_names()]
    return pairs + [(load_contract("toyprov", (TOY,)), python_only("toyprov", (TOY,)))]


@needs_rs
def test_rust_path_gives_the_python_verdicts_on_cassettes_and_planted_traffic():
    seen = compare(_pairs(), recorded())
    assert seen["docs"] > 5_000
    # proof the Rust path is really taken (else the equality above would hold trivially)
    assert seen["rust_accepted"] > seen["docs"] // 4, seen


@needs_rs
def test_rust_path_gives_the_python_verdicts_on_every_one_step_mutation():
    # openai (x-dispatch everywhere), dashscope (x-contradiction notes) and the toy overlay: the others share them
    pairs = [p for p in _pairs() if p[0].name in ("openai", "dashscope", "toyprov")]
    seen = compare(pairs, mutated(), both=False)
    assert seen["docs"] > 5_000 and seen["rust_accepted"] > 100, seen


@needs_rs
def test_rust_path_gives_the_python_verdicts_on_the_realworld_corpus():
    root = realworld_dir()
    if root is None:
        pytest.skip("real-world corpus not found (set RESPCOMPAT_REALWORLD or provide ../shared/realworld)")
    docs = [d for r in load_path(root) for d in documents(r.exchanges)]
    seen = compare(_pairs(), docs)
    assert seen["rust_accepted"] > 1000, seen


@needs_rs
def test_a_valid_event_is_accepted_without_the_python_validators(monkeypatch):
    c = python_only("openai")
    c._rust = fastpath.RustPath(c)  # a private instance: the cached contract is left alone
    doc = load_base("text_stream")["exchanges"][0]["response"]["events"][3]["data"]

    def boom(*_):
        raise AssertionError("the Python path ran")

    monkeypatch.setattr(c._fast, "for_file", boom)
    monkeypatch.setattr(c, "validator", boom)
    assert c.validate("event", doc).ok


@needs_rs
def test_a_contradiction_note_still_comes_with_the_rust_path():
    # DashScope's response id matches one documented format and not the other: a note on a valid body
    body = load_base("text_body")["exchanges"][0]["response"]["body"]
    c = load_contract("dashscope")
    res = c.validate("response", body)
    assert res.notes and res.notes[0].contradiction["id"] == "response-id-format"
    assert (res.errors, res.notes) == (
        python_only("dashscope").validate("response", body).errors,
        python_only("dashscope").validate("response", body).notes,
    )


@needs_rs
@pytest.mark.parametrize(
    "change",
    [
        {"op": "replace", "path": "/output_index", "value": float("inf")},
        {"op": "replace", "path": "/output_index", "value": float("nan")},
        {"op": "replace", "path": "/delta", "value": "\ud800 lone surrogate"},
        {"op": "replace", "path": "/delta", "value": "ends with a newline\n"},
        {"op": "replace", "path": "/item_id", "value": ("a", "tuple")},
        {"op": "int-key", "path": "/7", "value": "an int key"},
    ],
    ids=["inf", "nan", "surrogate", "newline", "tuple", "int-key"],
)
def test_values_jsonschema_rs_reads_differently_get_the_python_verdict(change):
    doc = {
        "type": "response.output_text.delta",
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": "h",
        "logprobs": [],
        "sequence_number": 3,
    }
    if change["op"] == "int-key":
        doc[7] = change["value"]  # type: ignore[index]
    else:
        apply_op(doc, change)
    got, want = load_contract("openai").validate("event", doc), python_only("openai").validate("event", doc)
    assert (got.errors, got.notes) == (want.errors, want.notes)


@needs_rs
def test_infinity_within_bounds_is_still_an_error():
    # jsonschema-rs alone takes inf as inside [0, 2]; jsonschema does not: the walk keeps it off the Rust path
    body = load_base("text_body")["exchanges"][0]["response"]["body"]
    errors = load_contract("openai").validate("response", {**body, "temperature": float("inf")}).errors
    assert [(e.pointer, e.keyword) for e in errors] == [("/temperature", "maximum")]


def test_without_jsonschema_rs_validation_still_works():
    code = (
        "import sys; sys.modules['jsonschema_rs'] = None\n"
        "from respcompat.contracts import load_contract\n"
        "c = load_contract('openai')\n"
        "assert c._rust is None\n"
        "ok = {'type': 'response.output_text.delta', 'item_id': 'm', 'output_index': 0, 'content_index': 0,"
        " 'delta': 'h', 'logprobs': [], 'sequence_number': 3}\n"
        "assert c.validate('event', ok).ok\n"
        "bad = dict(ok, delta=7)\n"
        "print([(e.pointer, e.keyword) for e in c.validate('event', bad).errors])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[('/delta', 'type')]"


def test_oversized_alias_bomb_is_refused_before_any_validator_walks_it():
    leaf: list = ["x"] * 10
    for _ in range(7):  # 10**7 values once unfolded, a few hundred objects in memory
        leaf = [leaf] * 10
    errors = load_contract("openai").validate("event", {"type": "response.output_text.delta", "delta": leaf}).errors
    assert [e.keyword for e in errors] == ["size"]
    assert fastpath.scan({"a": [1, 2.5, None, True, "s"]}, 10**6) == (False, True)
    assert fastpath.scan({"a": [1] * 10}, 11) == (True, False)  # 12 values: the object, the list, ten ints
    assert fastpath.scan({"a": [1] * 10}, 12) == (False, True)
