"""schema.* checks: kind selection, both contracts, and classification of every difference."""

from __future__ import annotations

import copy
from pathlib import Path

from test_contracts import delta, response

from respcompat.checks import CheckContext, run_checks
from respcompat.checks.schema import body_kind
from respcompat.contracts import ContractSet
from respcompat.exchange import Event, Exchange, Request, Response
from respcompat.findings import CONTRADICTION, DOCUMENTED, UNDOCUMENTED

FIXTURES = (Path(__file__).parent / "fixtures" / "contracts",)
SCHEMA_CHECKS = [
    "schema.request",
    "schema.response",
    "schema.event",
    "schema.error",
    "schema.deleted",
    "schema.input_items",
]


def ctx(contract="openai"):
    return CheckContext(provider=None, contracts=ContractSet.for_provider(contract, FIXTURES))


def body_exchange(body, method="POST", url="https://api.example/v1/responses", status=200, req_body=None):
    return Exchange(Request(method=method, url=url, body=req_body), Response(status=status, body=body))


def run(ex, contract="openai"):
    c = ctx(contract)
    found = run_checks(ex, c, only=SCHEMA_CHECKS)
    assert c.errors == []
    return found


def test_clean_response_gives_no_findings():
    assert run(body_exchange(response())) == []


def test_planted_type_error_is_undocumented_against_openai():
    [f] = run(body_exchange(response(created_at="yesterday")))
    assert (f.check, f.pointer, f.classification, f.contract) == (
        "schema.response",
        "/created_at",
        UNDOCUMENTED,
        "openai",
    )
    assert f.source == "openai:Response" and f.exchange == 0


def test_deviation_covered_by_overlay_is_documented_with_overlay_source():
    doc = response(toy_extra="x")
    del doc["tools"]  # toyprov unrequires tools
    [f] = run(body_exchange(doc), "toyprov")
    assert (f.pointer, f.classification, f.contract, f.source) == ("/tools", DOCUMENTED, "openai", "TOY-REF")


def test_breaking_provider_contract_is_undocumented_for_provider():
    findings = run(body_exchange(response()), "toyprov")  # toyprov requires toy_extra
    assert [(f.pointer, f.classification, f.contract) for f in findings] == [("/toy_extra", UNDOCUMENTED, "toyprov")]


def test_contradiction_note_becomes_doc_contradiction():
    [f] = run(body_exchange(response(toy_extra="x", top_p=None)), "toyprov")
    assert f.classification == CONTRADICTION and f.source == "top-p-null-vs-number"
    assert "TOY-COMPAT" in f.message and "TOY-REF" in f.message


def test_provider_only_item_type_is_documented_deviation_from_openai():
    doc = response(toy_extra="x", output=[{"type": "toy_search_call", "id": "t", "status": "completed"}])
    [f] = run(body_exchange(doc), "toyprov")
    assert (f.pointer, f.keyword if hasattr(f, "keyword") else f.details["keyword"]) == ("/output/0/type", "x-dispatch")
    assert f.classification == DOCUMENTED and f.source == "TOY-TOOLS"


def test_stream_events_are_judged_with_event_index():
    events = [Event(index=0, data=delta()), Event(index=1, data=delta(output_index="0")), Event(index=2, done=True)]
    ex = Exchange(Request(url="https://x/v1/responses", body=None), Response(status=200, events=events))
    [f] = run(ex)
    assert (f.check, f.event, f.pointer) == ("schema.event", 1, "/output_index")


def test_error_status_selects_error_schema():
    ex = body_exchange({"error": {"message": "nope", "type": "invalid_request_error", "param": None}}, status=400)
    [f] = run(ex)
    assert (f.check, f.pointer) == ("schema.error", "/error/code")


def test_body_only_error_is_inferred_without_status():
    ex = Exchange(None, Response(status=None, body={"code": "InvalidParameter", "message": "bad", "request_id": "r"}))
    assert body_kind(ex) == "error"
    [f] = run(ex)
    assert f.check == "schema.error" and f.pointer == "/error"


def test_delete_and_input_items_bodies():
    url = "https://x/v1/responses/resp_1"
    assert run(body_exchange({"id": "resp_1", "object": "response.deleted", "deleted": True}, "DELETE", url)) == []
    [f] = run(body_exchange({"id": "resp_1", "object": "response", "deleted": True}, "DELETE", url))
    assert (f.check, f.pointer) == ("schema.deleted", "/object")
    items = {
        "object": "list",
        "data": [
            {
                "id": "msg_1",
                "type": "message",
                "role": "user",
                "status": "completed",
                "content": [{"type": "input_text", "text": "hi"}],
            }
        ],
        "first_id": "msg_1",
        "last_id": "msg_1",
        "has_more": False,
    }
    assert run(body_exchange(items, "GET", url + "/input_items")) == []
    bad = copy.deepcopy(items)
    bad["data"][0]["content"][0]["type"] = "input_txt"
    [f] = run(body_exchange(bad, "GET", url + "/input_items"))
    assert (f.check, f.pointer) == ("schema.input_items", "/data/0/content/0/type")


def test_request_findings_are_marked_as_request_documents():
    ex = body_exchange(response(), req_body={"model": "gpt-4o", "input": "hi", "temperature": 3})
    [f] = run(ex)
    assert (f.check, f.pointer, f.details["document"]) == ("schema.request", "/temperature", "request")
    assert f.message.startswith("accepted a request outside the contract")


def test_an_invalid_request_that_was_rejected_is_no_finding():
    error = {
        "error": {
            "message": "temperature too high",
            "type": "invalid_request_error",
            "param": "temperature",
            "code": None,
        }
    }
    ex = body_exchange(error, status=400, req_body={"model": "gpt-4o", "input": "hi", "temperature": 3})
    assert [f.check for f in run(ex)] == []


def test_erratum_is_reported_in_details():
    [f] = run(body_exchange(response(user=5)))
    assert f.details["erratum"]["id"] == "response-user-null"
