"""case.* checks: the `expect:` of a case or flow step, judged on bodies and on streams' terminal events."""

import json

import pytest

from respcompat.checks import CheckContext, run_checks
from respcompat.exchange import Event, Exchange, Request, Response

DOC = "https://platform.openai.com/docs/guides/function-calling"
CITY_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "population": {"type": "integer"}},
    "required": ["name", "population"],
    "additionalProperties": False,
}


def message(text):
    return {
        "type": "message",
        "id": "msg_1",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def call(name="get_weather"):
    return {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": name, "arguments": '{"city":"Paris"}'}


REASONING = {"type": "reasoning", "id": "rs_1", "summary": []}


def response(output=(), status="completed", **extra):
    return {"id": "resp_1", "object": "response", "status": status, "output": list(output), **extra}


def body(expect, resp=None, status=200, request=None):
    """A JSON-body exchange carrying `expect` as the runner passes it."""
    req = Request(url="https://x/v1/responses", body=request or {"model": "m", "input": "hi"})
    return Exchange(
        req,
        Response(status=status, body=response() if resp is None else resp),
        meta={"expect": expect, "doc": DOC, "case": "t.case"},
    )


def stream(expect, resp):
    """A streamed exchange whose terminal event carries `resp`."""
    kind = "response.incomplete" if resp["status"] == "incomplete" else "response.completed"
    events = [
        Event(0, {"type": "response.created", "sequence_number": 0, "response": response(status="in_progress")}),
        Event(1, {"type": kind, "sequence_number": 1, "response": resp}),
    ]
    return Exchange(
        Request(url="https://x/v1/responses", body={"model": "m", "input": "hi", "stream": True}),
        Response(status=200, events=events),
        meta={"expect": expect, "doc": DOC},
    )


def judge(exchange, check_id):
    return run_checks(exchange, CheckContext(None, None, [exchange]), only=[check_id])


# --- case.http_status ----------------------------------------------------------------------------------------


def test_expected_http_status_passes():
    assert judge(body({"http_status": 401}, {"error": {"message": "bad key"}}, status=401), "case.http_status") == []


def test_http_status_class_4xx_accepts_any_client_error():
    assert judge(body({"http_status": "4xx"}, {"error": {}}, status=404), "case.http_status") == []


def test_http_status_other_than_expected_is_a_finding_with_the_case_doc():
    [f] = judge(body({"http_status": "4xx"}, status=200), "case.http_status")
    assert (f.expected, f.actual, f.source, f.classification) == ("4xx", 200, DOC, None)


def test_http_status_is_not_judged_without_the_key():
    assert judge(body({"status": "completed"}, status=500), "case.http_status") == []


# --- case.status and case.incomplete -------------------------------------------------------------------------


def test_expected_status_passes():
    assert judge(body({"status": "completed"}), "case.status") == []


def test_unexpected_status_points_at_status():
    [f] = judge(body({"status": "completed"}, response(status="failed")), "case.status")
    assert (f.pointer, f.expected, f.actual) == ("/status", "completed", "failed")


def test_status_of_a_stream_is_read_from_its_terminal_event():
    [f] = judge(stream({"status": "completed"}, response(status="incomplete")), "case.status")
    assert (f.pointer, f.event, f.actual) == ("/response/status", 1, "incomplete")


def test_status_is_not_judged_on_an_http_error():
    assert judge(body({"status": "completed"}, {"error": {"message": "x"}}, status=400), "case.status") == []


LIMIT = {"status": "incomplete", "incomplete_reason": "max_output_tokens", "max_output_tokens": 16}


def test_incomplete_with_the_expected_reason_passes():
    resp = response(status="incomplete", incomplete_details={"reason": "max_output_tokens"})
    assert judge(body(LIMIT, resp), "case.incomplete") == []
    assert judge(body(LIMIT, resp), "case.status") == []


def test_completed_where_max_output_tokens_must_be_reached_is_one_finding():
    findings = [f for cid in ("case.status", "case.incomplete") for f in judge(body(LIMIT), cid)]
    assert [(f.check, f.pointer, f.actual) for f in findings] == [("case.incomplete", "/status", "completed")]


def test_incomplete_without_the_reason_is_a_finding():
    resp = response(status="incomplete", incomplete_details={"reason": "content_filter"})
    [f] = judge(stream(LIMIT, resp), "case.incomplete")
    assert (f.pointer, f.expected, f.actual) == (
        "/response/incomplete_details/reason",
        "max_output_tokens",
        {"reason": "content_filter"},
    )


# --- case.max_output_tokens ----------------------------------------------------------------------------------


def test_output_tokens_within_the_limit_pass():
    assert judge(body(LIMIT, response(usage={"output_tokens": 16})), "case.max_output_tokens") == []


def test_output_tokens_over_the_limit_are_a_finding():
    [f] = judge(body(LIMIT, response(usage={"output_tokens": 40})), "case.max_output_tokens")
    assert (f.pointer, f.actual) == ("/usage/output_tokens", 40)


# --- case.function_call --------------------------------------------------------------------------------------


@pytest.mark.parametrize("want, output", [(True, [call()]), (False, [message("hi")]), ("get_weather", [call()])])
def test_function_call_expectation_met_passes(want, output):
    assert judge(body({"function_call": want}, response(output)), "case.function_call") == []


@pytest.mark.parametrize(
    "want, output, names",
    [
        (True, [message("hello")], []),  # tool_choice required, no call
        (False, [call()], ["get_weather"]),  # tool_choice none, a call anyway
        ("get_weather", [call("get_time")], ["get_time"]),  # forced function, another one called
    ],
)
def test_function_call_expectation_broken_is_a_finding(want, output, names):
    [f] = judge(body({"function_call": want}, response(output)), "case.function_call")
    assert (f.pointer, f.expected, f.actual, f.source) == ("/output", want, names, DOC)


def test_function_call_of_a_stream_is_read_from_its_terminal_event():
    [f] = judge(stream({"function_call": True}, response([message("hello")])), "case.function_call")
    assert (f.pointer, f.event) == ("/response/output", 1)


# --- case.output_text ----------------------------------------------------------------------------------------


def test_output_text_containing_the_fact_passes_case_insensitively():
    assert (
        judge(body({"output_text_contains": "Ada"}, response([message("Your name is ada.")])), "case.output_text") == []
    )


def test_second_turn_that_forgot_the_first_is_a_finding():
    [f] = judge(
        stream({"output_text_contains": "Ada"}, response([message("I do not know your name.")])), "case.output_text"
    )
    assert (f.pointer, f.actual, f.event) == ("/response/output/0/content/0/text", "I do not know your name.", 1)


# --- case.structured_output ----------------------------------------------------------------------------------


def structured(text):
    request = {
        "model": "m",
        "input": "Tokyo?",
        "text": {"format": {"type": "json_schema", "name": "city", "strict": True, "schema": CITY_SCHEMA}},
    }
    return body({"output_json": True}, response([message(text)]), request=request)


def test_output_valid_against_the_requested_schema_passes():
    assert judge(structured(json.dumps({"name": "Tokyo", "population": 14000000})), "case.structured_output") == []


def test_output_that_is_not_json_is_a_finding():
    [f] = judge(structured("Tokyo, about 14 million"), "case.structured_output")
    assert (f.pointer, f.expected) == ("/output/0/content/0/text", "JSON text")


def test_output_json_breaking_the_requested_schema_is_a_finding():
    [f] = judge(structured('{"name": "Tokyo", "population": "14 million"}'), "case.structured_output")
    assert "/population" in f.message and f.actual == "14 million"


# --- case.reasoning ------------------------------------------------------------------------------------------


def test_reasoning_item_present_as_expected_passes():
    assert judge(body({"reasoning": True}, response([REASONING, message("yes")])), "case.reasoning") == []


def test_missing_reasoning_item_is_a_finding():
    [f] = judge(body({"reasoning": True}, response([message("yes")])), "case.reasoning")
    assert (f.check, f.pointer, f.expected) == ("case.reasoning", "/output", True)


def test_reasoning_item_where_none_is_expected_is_a_finding():
    [f] = judge(stream({"reasoning": False}, response([REASONING, message("yes")])), "case.reasoning")
    assert (f.pointer, f.event) == ("/response/output/0", 1)


# --- common --------------------------------------------------------------------------------------------------


def test_exchange_without_expect_gives_no_case_finding():
    ex = Exchange(None, Response(status=500, body=response(status="failed")))
    assert [f for f in run_checks(ex, CheckContext(None, None, [ex])) if f.check.startswith("case.")] == []


def test_flow_step_without_a_doc_link_falls_back_to_the_responses_reference():
    ex = body({"status": "completed"}, response(status="failed"))
    del ex.meta["doc"]
    [f] = judge(ex, "case.status")
    assert f.source == "https://platform.openai.com/docs/api-reference/responses"


def test_named_call_in_a_doc_example_with_tools_of_its_own_means_any_call():
    request = {"model": "m", "input": "北京天气", "tools": [{"type": "function", "name": "获取天气信息"}]}
    assert (
        judge(
            body({"function_call": "get_weather"}, response([call("获取天气信息")]), request=request),
            "case.function_call",
        )
        == []
    )
    [f] = judge(
        body({"function_call": "get_weather"}, response([message("晴")]), request=request), "case.function_call"
    )
    assert f.expected is True
