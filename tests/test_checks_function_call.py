"""function_call.arguments_json and function_call.arguments_schema."""

from planted.traffic import judge

ARGS = "/response/body/output/0/arguments"


def _args(value):
    return [{"op": "replace", "path": ARGS, "value": value}]


def test_clean_function_calls_pass():
    for base in ("function_call_body", "function_call_stream"):
        assert judge(base, "function_call.arguments_json") == []
        assert judge(base, "function_call.arguments_schema") == []


def test_arguments_must_parse_as_json():
    [f] = judge("function_call_body", "function_call.arguments_json", _args('{"city": '))
    assert f.pointer == "/output/0/arguments"


def test_arguments_must_be_a_json_object():
    [f] = judge("function_call_body", "function_call.arguments_json", _args('"Oslo"'))
    assert "not an object" in f.message


def test_arguments_must_satisfy_the_tool_parameters():
    [f] = judge("function_call_body", "function_call.arguments_schema", _args('{"city":"Oslo","unit":"kelvin"}'))
    assert (f.pointer, f.actual, f.details["arguments_pointer"]) == ("/output/0/arguments", "kelvin", "/unit")


def test_unknown_tool_name_is_a_finding():
    [f] = judge(
        "function_call_body",
        "function_call.arguments_schema",
        [{"op": "replace", "path": "/response/body/output/0/name", "value": "get_forecast"}],
    )
    assert (f.pointer, f.expected, f.actual) == ("/output/0/name", ["get_weather"], "get_forecast")


def test_schema_is_not_judged_without_the_request_tools():
    ops = _args('{"city":"Oslo","unit":"kelvin"}') + [{"op": "remove", "path": "/request/body/tools"}]
    assert judge("function_call_body", "function_call.arguments_schema", ops) == []


def test_stream_call_is_judged_once_from_output_item_done():
    bad = '{"city":"Lyon","unit":"kelvin"}'
    ops = [
        {"op": "replace", "path": "/response/events/7/data/item/arguments", "value": bad},
        {"op": "replace", "path": "/response/events/8/data/response/output/0/arguments", "value": bad},
    ]
    [f] = judge("function_call_stream", "function_call.arguments_schema", ops)
    assert (f.event, f.pointer) == (7, "/item/arguments")
