"""The checks that make a verdict earned, each fed a planted fault (and its clean twin, which must stay silent)."""

from __future__ import annotations

from typing import Any

from respcompat.engine import judge_exchanges
from respcompat.exchange import Event, Exchange, Framing, Request, Response

RESP = {"id": "resp_1", "object": "response", "status": "completed", "output": []}


def _create(body: dict[str, Any], response: Response, index: int = 0) -> Exchange:
    return Exchange(Request("POST", "http://h/v1/responses", body=body), response, index=index)


def _checks(exchanges: list[Exchange], provider: str = "openai") -> set[str]:
    return {f.check for f in judge_exchanges(exchanges, provider).findings}


def test_stream_true_answered_with_a_body_is_a_finding():
    x = _create(
        {"model": "m", "input": "hi", "stream": True}, Response(200, {"content-type": "application/json"}, RESP)
    )
    assert "body.stream_mode" in _checks([x])
    clean = _create({"model": "m", "input": "hi"}, Response(200, {"content-type": "application/json"}, RESP))
    assert "body.stream_mode" not in _checks([clean])


def _input_items(index: int, rid: str, texts: list[str]) -> Exchange:
    data = [
        {"type": "message", "role": "user", "id": f"msg_{i}", "content": [{"type": "input_text", "text": t}]}
        for i, t in enumerate(texts)
    ]
    body = {"object": "list", "data": data, "first_id": "msg_0", "last_id": f"msg_{len(texts) - 1}", "has_more": False}
    return Exchange(Request("GET", f"http://h/v1/responses/{rid}/input_items"), Response(200, {}, body), index=index)


def test_input_items_of_a_chained_response_must_hold_the_earlier_turn():
    first = _create({"model": "m", "input": "Remember 42."}, Response(200, {}, {**RESP, "id": "resp_a"}), 0)
    second = _create(
        {"model": "m", "input": "Which number?", "previous_response_id": "resp_a"},
        Response(200, {}, {**RESP, "id": "resp_b", "previous_response_id": "resp_a"}),
        1,
    )
    forgot = _input_items(2, "resp_b", ["Which number?"])
    remembers = _input_items(2, "resp_b", ["Which number?", "Remember 42."])
    hit = [
        f for f in judge_exchanges([first, second, forgot], "openai").findings if f.check == "state.input_items_chain"
    ]
    assert len(hit) == 1 and hit[0].expected == "Remember 42."
    assert "state.input_items_chain" not in _checks([first, second, remembers])


def test_a_stream_without_event_lines_breaks_a_profile_that_declares_them_only():
    events = [
        Event(0, {"type": "response.created", "sequence_number": 0, "response": {**RESP, "status": "in_progress"}}),
        Event(1, {"type": "response.completed", "sequence_number": 1, "response": RESP}),
    ]
    bare = Framing(kind="sse", data_with_space=2, event_lines=0)
    x = _create({"model": "m", "input": "hi", "stream": True}, Response(200, {}, events=events, framing=bare))
    assert "stream.declared_framing" in _checks([x], "openai")  # openai.yaml: event_lines present
    assert "stream.declared_framing" not in _checks([x], "llamacpp")  # declares nothing about event lines


def test_a_blanket_deviation_is_refused_by_the_profile_schema():
    import json

    import yaml
    from jsonschema import Draft202012Validator

    from respcompat import PROJECT_ROOT

    validator = Draft202012Validator(json.loads((PROJECT_ROOT / "schemas/_meta/profile.schema.json").read_text()))
    profile = yaml.safe_load((PROJECT_ROOT / "providers/las.yaml").read_text())
    assert not list(validator.iter_errors(profile))
    del profile["deviations"][0]["when"]
    errors = list(validator.iter_errors(profile))
    assert errors and "'when' is a required property" in errors[0].message


def test_an_html_error_page_is_never_a_documented_deviation_even_where_error_shapes_are():
    x = Exchange(
        Request("POST", "http://h/v1/responses", body={"model": "m", "input": "hi"}),
        Response(502, {"content-type": "text/html"}, None, raw_body="<html><body>Bad gateway</body></html>"),
    )
    findings = judge_exchanges([x], "dashscope").findings  # dashscope documents other error *shapes* (status 4xx)
    assert any(f.check == "http.error_body" and f.classification == "undocumented-divergence" for f in findings)


def test_a_field_only_in_the_streamed_answer_is_found_by_comparing_with_the_body():
    plain = _create({"model": "m", "input": "hi"}, Response(200, {}, {**RESP, "id": "resp_a", "usage": None}), 0)
    final = {**RESP, "id": "resp_b"}  # no usage: present (null) in the body, absent in the stream
    events = [
        Event(0, {"type": "response.created", "sequence_number": 0, "response": {**final, "status": "in_progress"}}),
        Event(1, {"type": "response.completed", "sequence_number": 1, "response": final}),
    ]
    streamed = _create({"model": "m", "input": "hi", "stream": True}, Response(200, {}, events=events), 1)
    hit = [f for f in judge_exchanges([plain, streamed], "openai").findings if f.check == "compare.stream_body"]
    assert len(hit) == 1 and "'usage' only in the non-streamed answer" in hit[0].message
    same = _create({"model": "m", "input": "hi"}, Response(200, {}, {**RESP, "id": "resp_a"}), 0)
    assert "compare.stream_body" not in _checks([same, streamed])


def test_an_answer_cut_at_max_output_tokens_that_says_completed_is_a_finding():
    def answer(status: str, used: int) -> Exchange:
        body = {**RESP, "status": status, "usage": {"input_tokens": 5, "output_tokens": used, "total_tokens": 5 + used}}
        return _create({"model": "m", "input": "a long story", "max_output_tokens": 16}, Response(200, {}, body))

    assert "limits.max_output_tokens" in _checks([answer("completed", 16)])
    assert "limits.max_output_tokens" in _checks([answer("incomplete", 40)])
    assert "limits.max_output_tokens" not in _checks([answer("completed", 9)])  # the model stopped early: fine
