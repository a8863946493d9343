"""The openresponses contract (generated from the Open Responses spec by tools/gen_openai_schemas.py) loads and judges.

It has no errata (no Open Responses wire traffic to calibrate with), and no schema for objects the spec lacks
(error body, delete result, input_items list): `Contract.has(kind)` says so and `validate` raises.
"""

from __future__ import annotations

from collections import Counter

import pytest
from _realworld import realworld_dir, require_realworld

from respcompat.contracts import KindNotInContract, load_contract
from respcompat.importers import load_file

RESPONSE = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1767225600,
    "completed_at": 1767225601,
    "status": "completed",
    "incomplete_details": None,
    "model": "m",
    "previous_response_id": None,
    "instructions": None,
    "error": None,
    "tools": [],
    "tool_choice": "auto",
    "truncation": "disabled",
    "parallel_tool_calls": True,
    "text": {"format": {"type": "text"}},
    "top_p": 1.0,
    "presence_penalty": 0.0,
    "frequency_penalty": 0.0,
    "top_logprobs": 0,
    "temperature": 1.0,
    "reasoning": None,
    "usage": None,
    "max_output_tokens": None,
    "max_tool_calls": None,
    "store": True,
    "background": False,
    "service_tier": "default",
    "metadata": {},
    "safety_identifier": None,
    "prompt_cache_key": None,
    "output": [
        {
            "type": "message",
            "id": "msg_1",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Hi", "annotations": [], "logprobs": []}],
        }
    ],
}


@pytest.fixture(scope="module")
def contract():
    return load_contract("openresponses")


def test_contract_meta_declares_no_base_and_no_errata(contract):
    assert contract.base is None and "Open Responses" in contract.title
    assert "errata" in contract.meta["note"].lower()
    assert not any("x-erratum" in str(doc) for doc in contract.files.values())


def test_kinds_the_spec_lacks_are_absent_and_validate_says_so(contract):
    assert [k for k in ("request", "response", "event", "error", "deleted", "input_items") if contract.has(k)] == [
        "request",
        "response",
        "event",
    ]
    with pytest.raises(KindNotInContract, match="no 'deleted' schema"):
        contract.validate("deleted", {"id": "resp_1", "object": "response.deleted", "deleted": True})
    with pytest.raises(ValueError):
        contract.has("nonsense")
    assert load_contract("openai").has("deleted")


def test_minimal_response_event_and_request_validate(contract):
    response_errors = contract.validate("response", RESPONSE).errors
    assert response_errors == [], [(e.pointer, e.message) for e in response_errors]
    for event in (
        {
            "type": "response.output_text.delta",
            "sequence_number": 3,
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": "Hi",
            "logprobs": [],
        },
        {"type": "response.completed", "sequence_number": 9, "response": RESPONSE},
    ):
        errors = contract.validate("event", event).errors
        assert errors == [], [(e.pointer, e.message) for e in errors]
    assert contract.validate("request", {"model": "m", "input": "hello"}).ok


def test_planted_wrong_type_is_reported(contract):
    bad = {**RESPONSE, "created_at": "yesterday"}
    errors = contract.validate("response", bad).errors
    assert [(e.pointer, e.keyword) for e in errors] == [("/created_at", "type")]
    assert errors[0].source == "openresponses:ResponseResource"

    bad_event = {
        "type": "response.output_text.delta",
        "sequence_number": "3",
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": "Hi",
        "logprobs": [],
    }
    assert [(e.pointer, e.keyword) for e in contract.validate("event", bad_event).errors] == [
        ("/sequence_number", "type")
    ]

    unknown = contract.validate("event", {"type": "response.web_search_call.searching", "sequence_number": 1})
    assert [e.keyword for e in unknown.errors] == ["x-dispatch"]


@pytest.mark.skipif(realworld_dir() is None, reason="real-world corpus absent")
def test_count_real_openai_recordings_failing_open_responses(contract):
    """How much real OpenAI traffic the Open Responses spec rejects. Reported, not asserted."""
    root = require_realworld()
    counts: Counter = Counter()
    where: Counter = Counter()  # (kind, pointer with indexes blanked, keyword) -> failures
    for path in sorted(p for p in (root / "openai").iterdir() if p.is_file() and p.suffix != ".md"):
        result = load_file(path)
        if result.error:
            continue
        for x in result.exchanges:
            r = x.response
            if r is None:
                continue
            docs = []
            if isinstance(r.body, dict) and r.body.get("object") == "response":
                docs.append(("response", r.body))
            docs += [("event", e.data) for e in r.events or [] if not e.done and isinstance(e.data, dict)]
            for kind, doc in docs:
                errors = contract.validate(kind, doc).errors
                counts[kind, "total"] += 1
                counts[kind, "failing"] += bool(errors)
                for e in {
                    (kind, "/".join("#" if t.isdigit() else t for t in e.pointer.split("/")), e.keyword) for e in errors
                }:
                    where[e] += 1
    assert counts["response", "total"] + counts["event", "total"] > 0
    print(
        f"\nopenresponses vs real OpenAI recordings: "
        f"response bodies {counts['response', 'failing']}/{counts['response', 'total']} fail, "
        f"events {counts['event', 'failing']}/{counts['event', 'total']} fail"
    )
    for (kind, ptr, kw), n in where.most_common(15):
        print(f"  {n:5d}  {kind:8s} {ptr or '/'}  [{kw}]")
