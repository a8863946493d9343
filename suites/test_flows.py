"""Flows: several requests whose exchanges are judged together by the engine (state.* checks), one cassette each.

A step's own expectation travels in `Exchange.meta["expect"]`, as the cases' does; nothing is asserted here.
"""

from __future__ import annotations

from typing import Any

import pytest

WEATHER_TOOL = {
    "type": "function", "name": "get_weather", "description": "Current weather for a city.", "strict": True,
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                   "additionalProperties": False},
}


def response_of(x: Any) -> dict[str, Any]:
    """The response object of a create: its JSON body, or the last `response` carried by its stream."""
    if x.response is None:
        return {}
    if x.response.events is None:
        return x.response.body if isinstance(x.response.body, dict) else {}
    found = [e.data["response"] for e in x.response.events
             if isinstance(e.data, dict) and isinstance(e.data.get("response"), dict)]
    return found[-1] if found else {}


def rid(x: Any) -> str:
    """The id a later step needs; without one the flow cannot go on, and what was sent so far is judged."""
    value = response_of(x).get("id")
    if not value:
        raise StopFlow
    return value


class StopFlow(Exception):
    """An earlier step gave no usable response; later steps are not sent."""


def steps(flow: Any) -> Any:
    def run(t: Any) -> None:
        try:
            flow(t)
        except StopFlow:
            pass
    return run


@pytest.mark.respcompat("flow.multiturn")
def test_second_turn_knows_what_the_first_said(respcompat: Any) -> None:
    m = respcompat.model

    def flow(t: Any) -> None:
        first = t.create({"model": m, "input": "My name is Ada Lovelace. Reply with OK.", "store": True})
        second = t.create({"model": m, "input": "What is my first name? One word.", "previous_response_id": rid(first)})
        second.meta["expect"] = {"output_text_contains": "Ada"}

    respcompat.run(steps(flow))


@pytest.mark.respcompat("flow.store_false")
def test_response_created_with_store_false_is_not_found(respcompat: Any) -> None:
    m = respcompat.model

    def flow(t: Any) -> None:
        created = t.create({"model": m, "input": "Say hi.", "store": False})
        t.retrieve(rid(created))  # judged by state.store_false_not_found

    respcompat.run(steps(flow))


@pytest.mark.respcompat("flow.retrieve_equals_create")
def test_retrieve_returns_what_create_returned(respcompat: Any) -> None:
    m = respcompat.model

    def flow(t: Any) -> None:
        created = t.create({"model": m, "input": "Say hi.", "store": True})
        t.retrieve(rid(created))

    respcompat.run(steps(flow))


@pytest.mark.respcompat("flow.delete_then_retrieve")
def test_deleted_response_is_not_found(respcompat: Any) -> None:
    m = respcompat.model

    def flow(t: Any) -> None:
        created = rid(t.create({"model": m, "input": "Say hi.", "store": True}))
        t.delete(created)
        t.retrieve(created)  # judged by state.deleted_not_found

    respcompat.run(steps(flow))


@pytest.mark.respcompat("flow.input_items_chain")
def test_input_items_of_a_chain(respcompat: Any) -> None:
    m = respcompat.model

    def flow(t: Any) -> None:
        first = t.create({"model": m, "input": "Remember the number 42. Reply OK.", "store": True})
        second = t.create({"model": m, "input": "Which number? Digits only.", "previous_response_id": rid(first)})
        t.input_items(rid(second))

    respcompat.run(steps(flow))


def _roundtrip(m: str | None, stream: bool) -> Any:
    def flow(t: Any) -> None:
        question = {"role": "user", "content": "What is the weather in Paris? Use the tool."}
        first = t.create({"model": m, "input": [question], "tools": [WEATHER_TOOL], "tool_choice": "required",
                          "stream": stream})
        first.meta["expect"] = {"function_call": "get_weather"}
        calls = [i for i in response_of(first).get("output") or [] if i.get("type") == "function_call"]
        if not calls:
            raise StopFlow
        call = calls[0]
        output = {"type": "function_call_output", "call_id": call.get("call_id"), "output": '{"celsius": 21, "sky": "clear"}'}
        final = t.create({"model": m, "input": [question, call, output], "tools": [WEATHER_TOOL], "stream": stream})
        final.meta["expect"] = {"function_call": False, "output_text_contains": "21"}
    return flow


@pytest.mark.respcompat("flow.function_roundtrip")
def test_function_call_round_trip(respcompat: Any) -> None:
    respcompat.run(steps(_roundtrip(respcompat.model, stream=False)))


@pytest.mark.respcompat("flow.function_roundtrip_stream")
def test_function_call_round_trip_streamed(respcompat: Any) -> None:
    respcompat.run(steps(_roundtrip(respcompat.model, stream=True)))

