"""Every schema file is valid JSON, a valid schema, every overlay is well-formed, and every $ref resolves."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from respcompat.contracts import SCHEMAS_DIR, contract_names, load_contract, resolve_pointer

FIXTURES = Path(__file__).parent / "fixtures" / "contracts"
SCHEMA_FILES = sorted(p for root in (SCHEMAS_DIR, FIXTURES) for p in root.rglob("*.json"))
OVERLAY_META = json.loads((SCHEMAS_DIR / "_meta" / "overlay.schema.json").read_text())


def _contract_file(path: Path) -> bool:
    return "_meta" not in path.parts and path.name != "contract.json"


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_file_is_json_and_a_valid_schema_or_overlay(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not _contract_file(path):
        return
    if "overlay" in doc:
        Draft202012Validator(OVERLAY_META).validate(doc)
    elif "draft-07" in doc.get("$schema", ""):
        Draft7Validator.check_schema(doc)
    else:
        Draft202012Validator.check_schema(doc)


def _refs(node, base):
    if isinstance(node, dict):
        base = urljoin(base, node["$id"]) if isinstance(node.get("$id"), str) else base
        if isinstance(node.get("$ref"), str):
            yield base, node["$ref"]
        for k, v in node.items():
            if k not in ("enum", "const", "default", "x-erratum"):
                yield from _refs(v, base)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v, base)


CONTRACTS = [(name, None) for name in contract_names()] + [("toyprov", (FIXTURES,))]


@pytest.mark.parametrize("name,roots", CONTRACTS, ids=[c[0] for c in CONTRACTS])
def test_composed_contract_is_valid_and_every_ref_resolves(name, roots):
    contract = load_contract(name, roots)
    by_uri = {doc["$id"]: doc for doc in contract.files.values()}
    for rel, doc in contract.files.items():
        meta = Draft7Validator if rel in contract._draft7 else Draft202012Validator
        meta.check_schema(doc)
        for base, ref in _refs(doc, doc["$id"]):
            url, frag = urldefrag(urljoin(base, ref))
            assert url in by_uri, f"{rel}: $ref {ref} -> unknown file {url}"
            resolve_pointer(by_uri[url], frag)  # raises if the pointer is dangling


def test_every_dispatch_target_kind_has_files():
    c = load_contract("openai")
    assert len(c.types["events"]) >= 50 and "error" in c.types["events"]
    assert {"message", "function_call", "reasoning", "web_search_call"} <= set(c.types["items"])
    assert {"output_text", "refusal", "input_text"} <= set(c.types["content"])


def _reachable(node, defs, out):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/") and ref[14:] not in out:
            out.add(ref[14:])
            _reachable(defs[ref[14:]], defs, out)
        for v in node.values():
            _reachable(v, defs, out)
    elif isinstance(node, list):
        for v in node:
            _reachable(v, defs, out)


def test_request_schema_stays_in_draft07_and_hypothesis_can_generate_from_it():
    hj = pytest.importorskip("hypothesis_jsonschema")
    from hypothesis import HealthCheck, given, settings

    schema = json.loads((SCHEMAS_DIR / "openai" / "objects" / "create_request.json").read_text())
    text = json.dumps(schema)
    assert "x-dispatch" not in text and "$defs" not in text and "prefixItems" not in text
    # hypothesis-jsonschema needs minutes to canonicalise the full `input`/`tools` unions, so generation
    # runs on the scalar-ish parameters with only the definitions they reach; validation uses the whole file.
    names = ("model", "temperature", "top_p", "max_output_tokens", "text", "reasoning", "tool_choice")
    narrowed = {
        "type": "object",
        "required": ["model"],
        "additionalProperties": False,
        "properties": {k: schema["properties"][k] for k in names},
    }
    used: set[str] = set()
    _reachable(narrowed, schema["definitions"], used)
    narrowed["definitions"] = {k: schema["definitions"][k] for k in used}
    validator = Draft7Validator(schema)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hj.from_schema(narrowed))
    def generated_requests_validate(body):
        assert validator.is_valid(body)

    generated_requests_validate()
