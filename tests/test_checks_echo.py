"""request.echo: only what was sent is compared; a dated snapshot answers an alias."""

from planted.traffic import judge

B = "/response/body"


def test_clean_exchanges_echo_their_requests():
    for base in (
        "text_body",
        "text_stream",
        "function_call_body",
        "function_call_stream",
        "reasoning_stream",
        "incomplete_body",
    ):
        assert judge(base, "request.echo") == [], base


def test_dated_snapshot_of_the_requested_alias_is_accepted():
    assert judge("text_body", "request.echo", [{"op": "replace", "path": f"{B}/model", "value": "gpt-4o-mini"}]) == []


def test_another_model_is_an_echo_mismatch():
    [f] = judge("text_body", "request.echo", [{"op": "replace", "path": f"{B}/model", "value": "gpt-4o-2024-08-06"}])
    assert (f.pointer, f.expected, f.actual) == ("/model", "gpt-4o-mini", "gpt-4o-2024-08-06")


def test_sent_temperature_must_be_echoed():
    [f] = judge("text_body", "request.echo", [{"op": "replace", "path": f"{B}/temperature", "value": 1.0}])
    assert (f.pointer, f.expected, f.actual) == ("/temperature", 0.2, 1.0)


def test_parameters_not_sent_are_not_compared():
    assert (
        judge(
            "text_stream",
            "request.echo",
            [{"op": "replace", "path": "/response/events/11/data/response/top_p", "value": 0.5}],
        )
        == []
    )


def test_forced_tool_choice_may_gain_keys_but_not_change():
    sent = {"type": "function", "name": "get_weather"}
    ops = [
        {"op": "replace", "path": "/request/body/tool_choice", "value": sent},
        {"op": "replace", "path": f"{B}/tool_choice", "value": dict(sent, extra=None)},
    ]
    assert judge("function_call_body", "request.echo", ops) == []
    ops[1]["value"] = {"type": "function", "name": "other"}
    [f] = judge("function_call_body", "request.echo", ops)
    assert f.pointer == "/tool_choice"


def test_stream_echo_is_judged_on_the_terminal_event():
    [f] = judge(
        "reasoning_stream",
        "request.echo",
        [{"op": "replace", "path": "/response/events/17/data/response/reasoning/effort", "value": "high"}],
    )
    assert (f.event, f.pointer) == (17, "/response/reasoning/effort")
