"""The openai contract defines every field OpenAI really sends: extension.field is silent on OpenAI's own traffic.

Pins the wire-field errata of schemas/openai/errata.yaml (fields the spec lacks: store, billing, obfuscation...)
against the shared corpus (`$RESPCOMPAT_REALWORLD`, skipped when absent), and proves the check can still fire
on a true extension (Azure's content_filters).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from _realworld import PROJECT_ROOT, realworld_files, require_realworld
from jsonschema import Draft202012Validator

from respcompat.checks.schema import body_kind
from respcompat.contracts import load_contract, resolve_pointer
from respcompat.engine import judge_exchanges
from respcompat.findings import EXTENSION
from respcompat.importers import load_file

CHECK = "extension.field"
OPENAI = [p for p in realworld_files() if p.parent.name == "openai"]
ERRATA = yaml.safe_load((PROJECT_ROOT / "schemas" / "openai" / "errata.yaml").read_text())
# Errata that add a property the spec lacks: the ones extension.field depends on.
WIRE_FIELDS = [e for e in ERRATA if e["fix"]["op"] == "add" and e["pointer"].split("/")[-2:-1] == ["properties"]]


def _extensions(exchanges):
    return [f for f in judge_exchanges(exchanges, "openai", only=[CHECK]).findings if f.check == CHECK]


def _is_error_body(exchange) -> bool:
    return body_kind(exchange) == "error"


@pytest.mark.parametrize("path", OPENAI, ids=[p.name for p in OPENAI])
def test_openai_sends_no_field_its_contract_lacks(path):
    require_realworld()
    result = load_file(path)
    assert result.error is None, result.error
    xs = result.exchanges
    found = [f.to_json() for f in _extensions(xs) if not _is_error_body(xs[f.exchange])]
    assert found == []


def test_openai_error_bodies_carry_no_field_the_contract_lacks():
    require_realworld()
    pairs = [(p, ex) for p in OPENAI for ex in load_file(p).exchanges if _is_error_body(ex)]
    assert len(pairs) >= 5  # the vercel-ai error fixtures: {"error": {message, type, param, code}}
    found = [(p.name, f.pointer) for p, ex in pairs for f in _extensions([ex])]
    assert found == []


def _documents(exchange):
    """(event type or None, sequence_number or None, document) for a body or each event payload."""
    resp = exchange.response
    if resp is None:
        return
    if resp.events is not None:
        for e in resp.events:
            if isinstance(e.data, dict):
                yield e.data.get("type"), e.data.get("sequence_number"), e.data
    elif isinstance(resp.body, dict):
        yield None, None, resp.body


def test_azure_content_filters_is_still_reported_as_an_extension():
    """Azure's own field is a true extension: the check fires on every document that carries it."""
    root = require_realworld()
    carrying = 0
    for path in sorted((root / "azure").iterdir()):
        xs = load_file(path).exchanges
        flagged = {(f.exchange, f.pointer) for f in _extensions(xs) if f.classification == EXTENSION}
        for i, ex in enumerate(xs):
            for _, _, doc in _documents(ex):
                for where in ("", "/response"):
                    holder = doc.get("response") if where else doc
                    if isinstance(holder, dict) and "content_filters" in holder:
                        carrying += 1
                        assert (i, f"{where}/content_filters") in flagged, (path.name, i)
    assert carrying >= 5


def _evidence(entry: str) -> tuple[str, str, str | None, int | None]:
    """'openai/f.yaml#/a/b (response.done, sequence_number 9)' -> (file, pointer, event type, sequence_number)."""
    ref, _, note = entry.partition(" (")
    file, _, pointer = ref.partition("#")
    etype = next(iter(re.findall(r"\b(?:response\.[a-z_.]+|error)\b", note)), None)
    seq = re.search(r"sequence_number (\d+)", note)
    return file, pointer, etype, int(seq.group(1)) if seq else None


@pytest.mark.parametrize("erratum", WIRE_FIELDS, ids=[e["id"] for e in WIRE_FIELDS])
def test_each_wire_field_erratum_shows_its_field_with_the_type_it_gives(erratum):
    """Every evidence entry resolves to a value that the contract's new node accepts, and the node is stamped."""
    root = require_realworld()
    contract = load_contract("openai")
    node = resolve_pointer(contract.files[erratum["schema"]], erratum["pointer"])
    assert node["x-erratum"]["id"] == erratum["id"]
    ref = contract.files[erratum["schema"]]["$id"] + "#" + erratum["pointer"]
    validator = Draft202012Validator({"$ref": ref}, registry=contract.registry)
    for entry in erratum["evidence"]:
        file, pointer, etype, seq = _evidence(entry)
        assert file.startswith("openai/"), entry
        values = [
            resolve_pointer(doc, pointer)
            for ex in load_file(root / file).exchanges
            for t, n, doc in _documents(ex)
            if (etype is None or t == etype) and (seq is None or n == seq) and _resolves(doc, pointer)
        ]
        assert values, entry
        for v in values:
            assert not list(validator.iter_errors(v)), (entry, v)


def _resolves(doc, pointer: str) -> bool:
    try:
        resolve_pointer(doc, pointer)
        return True
    except (KeyError, IndexError, TypeError, ValueError):
        return False


def test_the_wire_field_errata_cover_what_the_brief_found():
    """The fields the first extension.field run reported on OpenAI traffic all have an erratum."""
    added = {e["pointer"].rsplit("/", 1)[-1] for e in WIRE_FIELDS}
    assert {
        "store",
        "billing",
        "frequency_penalty",
        "presence_penalty",
        "tool_usage",
        "obfuscation",
        "bytes",
        "background",
        "output_format",
        "quality",
        "revised_prompt",
        "size",
        "vector_store_id",
        "n",
        "return_token_budget",
    } <= added
    assert all(Path(e["wire_since"]["file"]).parts[0] == "openai" for e in WIRE_FIELDS)
