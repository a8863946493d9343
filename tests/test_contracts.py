"""Contract loading, overlay composition, custom keywords, error shape, and the fast path's soundness."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from respcompat.contracts import ContractSet, apply_change, contract_names, load_contract

FIXTURES = (Path(__file__).parent / "fixtures" / "contracts",)


def toy():
    return load_contract("toyprov", FIXTURES)


def response(**over):
    """A minimal response that satisfies the calibrated openai contract."""
    doc = {
        "id": "resp_1",
        "object": "response",
        "created_at": 1756280722,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "model": "gpt-4o",
        "tools": [],
        "parallel_tool_calls": True,
        "metadata": {},
        "tool_choice": "auto",
        "temperature": 1.0,
        "top_p": 1.0,
        "user": None,
        "output": [
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "hi", "annotations": [], "logprobs": []}],
            }
        ],
        "usage": {
            "input_tokens": 1,
            "output_tokens": 1,
            "total_tokens": 2,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }
    doc.update(over)
    return doc


def delta(**over):
    doc = {
        "type": "response.output_text.delta",
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": "h",
        "logprobs": [],
        "sequence_number": 3,
    }
    doc.update(over)
    return doc


def test_openai_contract_is_listed_and_cached():
    assert "openai" in contract_names()
    assert load_contract("openai") is load_contract("openai")


def test_valid_response_and_event_have_no_errors():
    c = load_contract("openai")
    assert c.validate("response", response()).errors == []
    assert c.validate("event", delta()).errors == []


def test_float_timestamp_on_integer_field_gives_one_precise_error():
    res = toy().validate("response", response(created_at=1756280722.5, toy_extra="x"))
    assert [(e.pointer, e.keyword) for e in res.errors] == [("/created_at", "type")]
    err = res.errors[0]
    assert err.message == "expected integer, got number 1756280722.5"
    assert err.expected == "integer" and err.actual == 1756280722.5
    assert err.source == "TOY-REF"


def test_wrong_nested_field_points_at_the_field_not_the_union():
    bad = response()
    bad["output"][0]["content"][0]["text"] = 5
    errors = load_contract("openai").validate("response", bad).errors
    assert [(e.pointer, e.keyword) for e in errors] == [("/output/0/content/0/text", "type")]
    assert errors[0].schema_path.startswith("content/output_text.json#")


def test_missing_required_points_at_the_missing_property():
    doc = response()
    del doc["usage"]["output_tokens"]
    errors = load_contract("openai").validate("response", doc).errors
    assert [(e.pointer, e.keyword, e.expected) for e in errors] == [
        ("/usage/output_tokens", "required", "output_tokens")
    ]


def test_unknown_item_type_names_the_known_types():
    doc = response(output=[{"type": "x_search_call", "id": "x"}])
    errors = load_contract("openai").validate("response", doc).errors
    assert [(e.pointer, e.keyword) for e in errors] == [("/output/0/type", "x-dispatch")]
    assert "unknown items type 'x_search_call'" in errors[0].message and "message" in errors[0].expected


def test_unknown_event_type_is_one_dispatch_error():
    errors = load_contract("openai").validate("event", {"type": "response.toy.delta"}).errors
    assert [(e.pointer, e.keyword) for e in errors] == [("/type", "x-dispatch")]


def test_erratum_is_stamped_and_relaxes_the_spec():
    c = load_contract("openai")
    node = c.files["objects/response.json"]["properties"]["user"]
    assert node["x-erratum"]["id"] == "response-user-null"
    assert c.validate("response", response(user=None)).errors == []


def test_error_under_erratum_node_carries_the_erratum():
    errors = load_contract("openai").validate("response", response(user=7)).errors
    assert errors[0].erratum and errors[0].erratum["id"] == "response-user-null"


def test_overlay_replace_add_require_unrequire_remove_merge():
    c = toy()
    props = c.files["objects/response.json"]["properties"]
    assert props["created_at"] == {"type": "integer", "x-source": "TOY-REF", "x-note": "documented as integer seconds"}
    assert props["toy_extra"]["x-source"] == "TOY-REF"
    required = c.files["objects/response.json"]["required"]
    assert "toy_extra" in required and "tools" not in required
    assert "user" not in props
    assert "toy_waiting" in props["status"]["enum"] and props["status"]["x-source"] == "TOY-STATUS"
    doc = response(toy_extra="x", status="toy_waiting")
    del doc["tools"]
    assert c.validate("response", doc).errors == []
    missing = c.validate("response", response())
    assert [(e.pointer, e.keyword) for e in missing.errors] == [("/toy_extra", "required")]


def test_overlay_does_not_leak_into_base_contract():
    toy()
    assert "toy_extra" not in load_contract("openai").files["objects/response.json"]["properties"]


def test_provider_only_item_type_dispatches_in_provider_contract():
    doc = response(toy_extra="x", output=[{"type": "toy_search_call", "id": "t1", "status": "completed"}])
    assert toy().validate("response", doc).errors == []
    bad = response(toy_extra="x", output=[{"type": "toy_search_call", "id": "t1"}])
    errors = toy().validate("response", bad).errors
    assert [(e.pointer, e.source) for e in errors] == [("/output/0/status", "TOY-TOOLS")]


def test_contradiction_gives_a_note_not_an_error():
    res = toy().validate("response", response(toy_extra="x", top_p=None))
    assert res.errors == []
    assert len(res.notes) == 1
    c = res.notes[0].contradiction
    assert c == {"id": "top-p-null-vs-number", "matched": ["TOY-COMPAT"], "unmatched": ["TOY-REF"]}
    assert toy().validate("response", response(toy_extra="x", top_p=0.5)).notes == []


def test_add_appends_with_dash_and_remove_deletes():
    doc = {"a": [1], "b": {"c": 1}}
    apply_change(doc, {"op": "add", "path": "/a/-", "value": 2})
    apply_change(doc, {"op": "remove", "path": "/b/c", "source": "S"})
    assert doc == {"a": [1, 2], "b": {"x-source": "S"}}
    props = {"properties": {"a": {}, "b": {}}}
    apply_change(props, {"op": "remove", "path": "/properties/a", "source": "S"})
    assert props == {"properties": {"b": {}}, "x-source": "S"}


def test_replace_of_missing_node_is_an_error():
    with pytest.raises(KeyError):
        apply_change({"properties": {}}, {"op": "replace", "path": "/properties/nope", "value": {}})


def test_contract_set_pairs_provider_with_openai():
    cs = ContractSet.for_provider("toyprov", FIXTURES)
    assert cs.provider.name == "toyprov" and cs.openai is load_contract("openai")


def _mutations(doc):
    """Every one-step mutation of `doc`: each key dropped, each scalar swapped for a wrong type."""

    def walk(node, path):
        if isinstance(node, dict):
            for k in list(node):
                yield path + [k], "drop"
                yield path + [k], "swap"
                yield from walk(node[k], path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, path + [i])

    for path, how in walk(doc, []):
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


@pytest.mark.parametrize(
    "kind,doc",
    [
        ("response", response()),
        ("event", delta()),
        ("event", {"type": "response.completed", "sequence_number": 9, "response": response()}),
    ],
)
def test_fast_path_never_accepts_what_jsonschema_rejects(kind, doc):
    c = load_contract("openai")
    for m in _mutations(doc):
        rel = c.file_for(kind, m)
        if rel is None:
            continue
        full_ok = not any(True for _ in c.validator(rel).iter_errors(m))
        assert c._fast.for_file(rel)(m) <= full_ok, m
