"""The fake server as generated requests meet it: every create parameter echoed, each documented rule enforced with a
400 naming the parameter, each parameter's effect visible in the structure, and the one-parameter faults
(crash-on, accept-invalid, reject-valid, ignore-param, error-no-param) doing what FAULTS says. Raw HTTP only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fakes import DEFAULT_KEY, FakeResponsesServer
from fakes.faults import UnknownFault
from fakes.params import names, same
from fakes.validate import known_parameters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from respcompat.generate import TOOL
from respcompat.sse import parse_sse

AUTH = {"authorization": f"Bearer {DEFAULT_KEY}"}
MODEL = "gpt-4o-mini"
WEATHER = TOOL  # the generator's tool: the fake is tested with what respcompat sends
CITY = {
    "type": "json_schema",
    "name": "city",
    "description": "A city.",
    "strict": True,
    "schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
}


@pytest.fixture(scope="module")
def fake() -> Any:
    srv = FakeResponsesServer()
    with srv:
        yield srv


@pytest.fixture(scope="module")
def server(fake: FakeResponsesServer) -> str:
    return fake.base_url


@pytest.fixture(scope="module")
def client() -> Any:
    with httpx.Client(timeout=20.0, headers=AUTH, verify=False) as c:
        yield c


def post(client: httpx.Client, url: str, body: Any) -> httpx.Response:
    return client.post(f"{url}/responses", json=body)


def create(client: httpx.Client, url: str, **body: Any) -> httpx.Response:
    return post(client, url, {"model": MODEL, "input": "Say hi.", **body})


def final_of(r: httpx.Response) -> dict[str, Any]:
    """The response object of a body, or of a stream's terminal event."""
    if r.headers["content-type"].startswith("text/event-stream"):
        return parse_sse(r.text)[0][-1].data["response"]
    return r.json()


def text_of(resp: dict[str, Any]) -> str:
    return "".join(p["text"] for i in resp["output"] if i["type"] == "message" for p in i["content"])


def types_of(resp: dict[str, Any]) -> list[str]:
    return [i["type"] for i in resp["output"]]


# --- every parameter of the create request, echoed ------------------------------------------------------------

# A valid, non-default value of every parameter in schemas/openai/objects/create_request.json.
# `{conv}` / `{prev}` are filled with a conversation and a response made first.
SENT: dict[str, Any] = {
    "background": True,
    "context_management": [{"type": "compaction", "compact_threshold": 1000}],
    "conversation": "{conv}",
    "include": ["message.output_text.logprobs"],
    "input": "Say hi.",
    "instructions": "Be brief.",
    "max_output_tokens": 500,
    "max_tool_calls": 3,
    "metadata": {"k": "v"},
    "model": MODEL,
    "moderation": {"model": "omni-moderation-latest"},
    "parallel_tool_calls": False,
    "previous_response_id": "{prev}",
    "prompt": {"id": "pmpt_respcompat", "variables": {"topic": "tides"}, "version": "2"},
    "prompt_cache_key": "p1",
    "prompt_cache_options": {"ttl": "30m", "mode": "explicit"},
    "prompt_cache_retention": "24h",
    "reasoning": {"effort": "low", "summary": "auto", "context": "all_turns"},
    "safety_identifier": "s" * 64,
    "service_tier": "flex",
    "store": False,
    "stream": True,
    "stream_options": {"include_obfuscation": False},
    "temperature": 0.5,
    "text": {"format": CITY, "verbosity": "low"},
    "tool_choice": "required",
    "tools": [WEATHER],
    "top_logprobs": 5,
    "top_p": 0.5,
    "truncation": "auto",
    "user": "u1",
}
# What OpenAI's response object does not carry as sent, and why.
NOT_ECHOED = {
    "context_management": "request-only",
    "include": "request-only: it adds fields to the output instead",
    "input": "listed by GET /responses/{id}/input_items",
    "moderation": "the response's moderation is a result, not the setting",
    "stream": "answered with events instead of a body",
    "stream_options": "request-only",
}
COMPANIONS = {"tool_choice": {"tools": [WEATHER]}, "stream_options": {"stream": True}}


def test_the_table_covers_every_parameter_of_the_contract() -> None:
    assert set(SENT) == known_parameters()


@pytest.mark.parametrize("param", sorted(SENT))
def test_every_sent_parameter_is_echoed_as_sent(fake: FakeResponsesServer, client: httpx.Client, param: str) -> None:
    u = fake.base_url
    value = json.loads(
        json.dumps(SENT[param])
        .replace('"{conv}"', json.dumps(client.post(f"{u}/conversations", json={}).json()["id"]))
        .replace('"{prev}"', json.dumps(create(client, u).json()["id"]))
    )
    r = create(client, u, **{**COMPANIONS.get(param, {}), param: value})
    assert r.status_code == 200, r.text
    resp = final_of(r)
    if param in NOT_ECHOED:
        assert param not in resp or param == "moderation"
    elif param == "conversation":
        assert resp["conversation"] == {"id": value}
    elif param == "prompt":
        assert resp["prompt"] == value
    else:
        assert same(resp[param], value), (resp[param], value)


def test_defaults_are_echoed_when_nothing_is_sent(fake: FakeResponsesServer, client: httpx.Client) -> None:
    r = create(client, fake.base_url).json()
    assert {k: r[k] for k in ("temperature", "top_p", "top_logprobs", "truncation", "tool_choice", "store")} == {
        "temperature": 1.0,
        "top_p": 1.0,
        "top_logprobs": 0,
        "truncation": "disabled",
        "tool_choice": "auto",
        "store": True,
    }
    assert r["text"] == {"format": {"type": "text"}, "verbosity": "medium"} and r["metadata"] == {}
    assert "conversation" not in r and "prompt" not in r


# --- every documented rule, enforced with a 400 (or 404) naming the parameter --------------------------------

BROKEN: list[tuple[dict[str, Any], str]] = [
    ({"temperature": 2.01}, "temperature"),
    ({"temperature": -0.1}, "temperature"),
    ({"temperature": "hot"}, "temperature"),
    ({"top_p": 1.01}, "top_p"),
    ({"top_p": -1}, "top_p"),
    ({"top_logprobs": 21}, "top_logprobs"),
    ({"top_logprobs": -1}, "top_logprobs"),
    ({"top_logprobs": 1.5}, "top_logprobs"),
    ({"max_output_tokens": 15}, "max_output_tokens"),
    ({"max_output_tokens": "many"}, "max_output_tokens"),
    ({"max_tool_calls": 1.5}, "max_tool_calls"),
    ({"service_tier": "turbo"}, "service_tier"),
    ({"truncation": "sometimes"}, "truncation"),
    ({"prompt_cache_retention": "1h"}, "prompt_cache_retention"),
    ({"prompt_cache_options": {"ttl": "1h"}}, "prompt_cache_options.ttl"),
    ({"prompt_cache_options": {"mode": "always"}}, "prompt_cache_options.mode"),
    ({"reasoning": {"effort": "extreme"}}, "reasoning.effort"),
    ({"reasoning": {"summary": "short"}}, "reasoning.summary"),
    ({"reasoning": "low"}, "reasoning"),
    ({"text": {"verbosity": "loud"}}, "text.verbosity"),
    ({"text": {"format": {"type": "yaml"}}}, "text.format.type"),
    ({"text": {"format": {"type": "json_schema", "schema": {}}}}, "text.format.name"),
    ({"include": ["message.everything"]}, "include[0]"),
    ({"include": "message.output_text.logprobs"}, "include"),
    ({"safety_identifier": "s" * 65}, "safety_identifier"),
    ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata"),
    ({"metadata": {"k": "v" * 513}}, "metadata.k"),
    ({"metadata": {"k" * 65: "v"}}, "metadata"),
    ({"metadata": {"k": 1}}, "metadata.k"),
    ({"user": 5}, "user"),
    ({"instructions": 5}, "instructions"),
    ({"prompt_cache_key": 5}, "prompt_cache_key"),
    ({"previous_response_id": 5}, "previous_response_id"),
    ({"store": "yes"}, "store"),
    ({"background": "yes"}, "background"),
    ({"background": True, "store": False}, "background"),
    ({"parallel_tool_calls": "yes"}, "parallel_tool_calls"),
    ({"stream": "yes"}, "stream"),
    ({"stream_options": {"include_obfuscation": "no"}}, "stream_options.include_obfuscation"),
    ({"context_management": []}, "context_management"),
    ({"context_management": [{"type": "compaction", "compact_threshold": 999}]}, "context_management[0]"),
    ({"conversation": 5}, "conversation"),
    ({"conversation": "conv_nope"}, "conversation"),
    ({"conversation": {"id": "conv_nope"}}, "conversation"),
    ({"prompt": {"version": "1"}}, "prompt"),
    ({"prompt": {"id": "pmpt_nope"}}, "prompt"),
    ({"moderation": {}}, "moderation"),
    ({"tool_choice": "sometimes"}, "tool_choice"),
    ({"tool_choice": {"type": "function", "name": "nope"}}, "tool_choice"),
    ({"tools": "get_weather"}, "tools"),
    ({"tools": [{"type": "function"}]}, "tools[0]"),
    ({"input": 5}, "input"),
    ({"input": [{"role": "robot", "content": "x"}]}, "input[0]"),
    ({"model": 5}, "model"),
    ({"model": "respcompat-no-such-model"}, "model"),
    ({"enable_thinking": True}, "enable_thinking"),
]


@pytest.mark.parametrize("extra,param", BROKEN, ids=[p + ":" + json.dumps(e)[:40] for e, p in BROKEN])
def test_each_broken_rule_is_refused_naming_the_parameter(
    server: str, client: httpx.Client, extra: dict[str, Any], param: str
) -> None:
    r = create(client, server, **extra)
    assert r.status_code in (400, 404), r.text
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"} and err["type"] == "invalid_request_error"
    assert names(err["param"], param), err
    assert err["message"]


@pytest.mark.parametrize(
    "edge",
    [
        {"temperature": 0},
        {"temperature": 2},
        {"top_p": 0},
        {"top_p": 1},
        {"top_logprobs": 0},
        {"top_logprobs": 20},
        {"max_output_tokens": 16},
        {"safety_identifier": "s" * 64},
        {"metadata": {f"k{i}": "v" * 512 for i in range(16)}},
        {"temperature": None, "top_p": None, "store": None, "instructions": None},
    ],
)
def test_the_edges_of_each_range_are_accepted(server: str, client: httpx.Client, edge: dict[str, Any]) -> None:
    assert create(client, server, **edge).status_code == 200


# --- what each parameter does, seen in the structure -----------------------------------------------------------


def test_max_output_tokens_caps_the_counted_output(server: str, client: httpx.Client) -> None:
    r = create(client, server, input="Write a long story.", max_output_tokens=20).json()
    assert r["status"] == "incomplete" and r["incomplete_details"] == {"reason": "max_output_tokens"}
    assert r["usage"]["output_tokens"] <= 20


def test_tool_choice_forces_a_call_that_auto_does_not_make(server: str, client: httpx.Client) -> None:
    auto = create(client, server, input="Say hello.", tools=[WEATHER]).json()
    required = create(client, server, input="Say hello.", tools=[WEATHER], tool_choice="required").json()
    named = create(
        client, server, input="Say hello.", tools=[WEATHER], tool_choice={"type": "function", "name": "get_weather"}
    ).json()
    allowed = {"type": "allowed_tools", "mode": "required", "tools": [{"type": "function", "name": "get_weather"}]}
    chosen = create(client, server, input="Say hello.", tools=[WEATHER], tool_choice=allowed).json()
    asked = create(client, server, input="What is the weather in Paris?", tools=[WEATHER]).json()
    assert types_of(auto) == ["message"]
    assert types_of(required) == types_of(named) == types_of(chosen) == types_of(asked) == ["function_call"]


def test_json_schema_format_gives_json_text(server: str, client: httpx.Client) -> None:
    assert json.loads(text_of(create(client, server, text={"format": CITY}).json())) == {"name": "example"}


def test_logprobs_come_with_include_and_carry_top_logprobs(server: str, client: httpx.Client) -> None:
    include = ["message.output_text.logprobs"]
    plain = create(client, server).json()["output"][0]["content"][0]
    part = create(client, server, include=include, top_logprobs=3).json()["output"][0]["content"][0]
    assert plain["logprobs"] == [] and part["logprobs"]
    assert "".join(lp["token"] for lp in part["logprobs"]) == part["text"]
    assert all(len(lp["top_logprobs"]) == 3 and lp["bytes"] == list(lp["token"].encode()) for lp in part["logprobs"])
    events = [e.data for e in parse_sse(create(client, server, include=include, stream=True).text)[0]]
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert all(len(d["logprobs"]) == 1 and d["logprobs"][0]["token"] == d["delta"] for d in deltas)


def test_encrypted_reasoning_comes_with_include_and_reasoning(server: str, client: httpx.Client) -> None:
    include = ["reasoning.encrypted_content"]
    [item, _] = create(client, server, include=include, reasoning={"effort": "low"}, store=False).json()["output"]
    assert item["type"] == "reasoning" and item["encrypted_content"]
    assert "encrypted_content" not in create(client, server, reasoning={"effort": "low"}).json()["output"][0]
    assert types_of(create(client, server, include=include).json()) == ["message"]  # no reasoning asked, none given


def test_obfuscation_is_on_by_default_and_off_on_request(server: str, client: httpx.Client) -> None:
    def deltas(**body: Any) -> list[dict[str, Any]]:
        events = parse_sse(create(client, server, stream=True, **body).text)[0]
        return [e.data for e in events if e.data["type"].endswith(".delta")]

    assert all("obfuscation" in d for d in deltas()) and deltas()
    off = deltas(stream_options={"include_obfuscation": False})
    assert off and not any("obfuscation" in d for d in off)


def test_previous_response_id_counts_the_earlier_turn_as_input(server: str, client: httpx.Client) -> None:
    first = create(client, server, input="one two three").json()
    alone = create(client, server, input="four").json()
    second = create(client, server, input="four", previous_response_id=first["id"]).json()
    assert second["usage"]["input_tokens"] > alone["usage"]["input_tokens"] + 3


def test_a_conversation_carries_its_items_into_each_response(fake: FakeResponsesServer, client: httpx.Client) -> None:
    u = fake.base_url
    conv = client.post(f"{u}/conversations", json={"items": [{"role": "user", "content": "My name is Ada."}]})
    assert conv.status_code == 200 and conv.json()["object"] == "conversation"
    cid = conv.json()["id"]
    first = create(client, u, input="What is my name?", conversation=cid).json()
    second = create(client, u, input="Again?", conversation={"id": cid}).json()
    assert "Ada" in text_of(first) and text_of(first) in text_of(second)
    assert first["conversation"] == second["conversation"] == {"id": cid}
    assert client.delete(f"{u}/conversations/{cid}").json() == {
        "id": cid,
        "object": "conversation.deleted",
        "deleted": True,
    }
    assert create(client, u, conversation=cid).status_code == 404


def test_a_known_prompt_is_applied_with_its_variables(server: str, client: httpx.Client) -> None:
    r = post(client, server, {"model": MODEL, "prompt": {"id": "pmpt_respcompat", "variables": {"topic": "tides"}}})
    assert r.status_code == 200 and "the topic is tides" in text_of(r.json())


def test_background_is_queued_then_completed_or_cancelled(server: str, client: httpx.Client) -> None:
    queued = create(client, server, background=True).json()
    assert queued["status"] == "queued" and queued["background"] is True
    assert client.get(f"{server}/responses/{queued['id']}").json()["status"] == "completed"
    other = create(client, server, background=True).json()
    assert client.post(f"{server}/responses/{other['id']}/cancel").json()["status"] == "cancelled"


# --- the one-parameter faults ------------------------------------------------------------------------------------


def test_crash_on_reads_its_value_as_json(fake: FakeResponsesServer, client: httpx.Client) -> None:
    meta = {"a": "1", "b": "2"}
    u = fake.fault_url(f"crash-on=metadata:{json.dumps(meta)}", "crash-on=reasoning.effort:high", "crash-on=user:u/1")
    assert create(client, u, metadata=meta).status_code == 500
    assert create(client, u, metadata={"a": "1"}).status_code == 200
    assert create(client, u, reasoning={"effort": "high"}).status_code == 500  # a bare word is a string
    assert create(client, u, user="u/1").status_code == 500  # an encoded `/` stays in the value
    assert create(client, u, reasoning={"effort": "low"}).status_code == 200
    assert create(client, fake.fault_url("crash-on=store:false"), store=False).status_code == 500
    assert create(client, fake.fault_url("crash-on=temperature:1"), temperature=1.0).status_code == 500


def test_crash_on_also_answers_a_stream_with_500(fake: FakeResponsesServer, client: httpx.Client) -> None:
    r = create(client, fake.fault_url("crash-on=stream:true"), stream=True)
    assert r.status_code == 500 and r.json()["error"]["type"] == "server_error"


@pytest.mark.parametrize(
    "param,extra,echoed",
    [
        ("top_logprobs", {"top_logprobs": 99}, 99),
        ("reasoning.effort", {"reasoning": {"effort": "extreme"}}, "extreme"),
        ("service_tier", {"service_tier": "turbo"}, "turbo"),
        ("max_output_tokens", {"max_output_tokens": 1}, 1),
        ("text", {"text": {"verbosity": "loud"}}, {"verbosity": "loud"}),
        ("include", {"include": ["message.everything"]}, None),
        ("conversation", {"conversation": "conv_nope"}, None),  # not echoed: the response has no conversation
        ("tool_choice", {"tool_choice": "sometimes"}, "sometimes"),
        ("model", {"model": "respcompat-no-such-model"}, "respcompat-no-such-model"),
        ("input", {"input": [{"role": "robot", "content": "x"}]}, None),
    ],
)
def test_accept_invalid_lets_that_parameter_through(
    fake: FakeResponsesServer, client: httpx.Client, param: str, extra: dict[str, Any], echoed: Any
) -> None:
    assert create(client, fake.base_url, **extra).status_code in (400, 404)
    r = create(client, fake.fault_url(f"accept-invalid={param}"), **extra)
    assert r.status_code == 200, r.text
    top = param.split(".")[0]
    got = r.json().get(top) if "." not in param else r.json()[top][param.split(".")[1]]
    if echoed is None:
        assert top not in r.json()
    else:
        assert got == echoed if top != "text" else got["verbosity"] == "loud"


def test_accept_invalid_still_refuses_other_parameters(fake: FakeResponsesServer, client: httpx.Client) -> None:
    u = fake.fault_url("accept-invalid=reasoning")
    assert create(client, u, reasoning={"summary": "short"}).status_code == 200
    r = create(client, u, reasoning={"summary": "short"}, text={"verbosity": "loud"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "text.verbosity"


def test_reject_valid_without_a_value_refuses_any_value(fake: FakeResponsesServer, client: httpx.Client) -> None:
    u = fake.fault_url("reject-valid=reasoning.effort", 'reject-valid=text.format.type:"json_schema"')
    r = create(client, u, reasoning={"effort": "low"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "reasoning.effort"
    assert create(client, u, reasoning={"summary": "auto"}).status_code == 200
    assert create(client, u, text={"format": CITY}).json()["error"]["param"] == "text.format.type"
    assert create(client, u, text={"format": {"type": "text"}}).status_code == 200


def test_reject_valid_without_a_value_refuses_an_unlisted_parameter(fake: FakeResponsesServer, client) -> None:
    # how the generated tests plant "an unlisted parameter rejected" for a profile that says unlisted ones are ignored
    u = fake.fault_url("reject-valid=user")
    r = create(client, u, user="respcompat")
    assert r.status_code == 400 and r.json()["error"]["param"] == "user"
    assert create(client, u, metadata={}).status_code == 200 and create(client, u).status_code == 200


def test_drop_text_format_echo_keeps_the_echo_and_drops_only_the_json(
    fake: FakeResponsesServer, client: httpx.Client
) -> None:
    conforming = create(client, fake.base_url, text={"format": CITY}).json()
    r = create(client, fake.fault_url("drop-text-format=echo"), text={"format": CITY}).json()
    assert r["text"] == conforming["text"] and r["text"]["format"] == CITY  # the echo cannot tell them apart
    assert json.loads(text_of(conforming)) == {"name": "example"}
    with pytest.raises(ValueError):
        json.loads(text_of(r))
    dropped = create(client, fake.fault_url("drop-text-format"), text={"format": CITY}).json()
    assert dropped["text"]["format"] == {"type": "text"}  # the plain fault shows in the echo as well


# parameter -> (the request that shows it, a test true of the response when the parameter was applied)
IGNORED: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = {
    "max_output_tokens": (
        {"input": "Write a long story.", "max_output_tokens": 16},
        lambda r: r["status"] == "incomplete" and r["max_output_tokens"] == 16,
    ),
    "tool_choice": (
        {"input": "Say hello.", "tools": [WEATHER], "tool_choice": "required"},
        lambda r: types_of(r) == ["function_call"] and r["tool_choice"] == "required",
    ),
    "instructions": (
        {"instructions": "Say BANANA."},
        lambda r: "BANANA" in text_of(r) and r["instructions"] == "Say BANANA.",
    ),
    "text": ({"text": {"format": CITY}}, lambda r: text_of(r).startswith("{") and r["text"]["format"] == CITY),
    "temperature": ({"temperature": 0.5}, lambda r: r["temperature"] == 0.5),
    "reasoning": ({"reasoning": {"effort": "low"}}, lambda r: types_of(r)[0] == "reasoning"),
    "include": (
        {"include": ["message.output_text.logprobs"]},
        lambda r: bool(r["output"][0]["content"][0]["logprobs"]),
    ),
    "metadata": ({"metadata": {"k": "v"}}, lambda r: r["metadata"] == {"k": "v"}),
    "store": ({"store": False}, lambda r: r["store"] is False),
    "background": ({"background": True}, lambda r: r["status"] == "queued"),
    "top_logprobs": ({"top_logprobs": 4}, lambda r: r["top_logprobs"] == 4),
    "service_tier": ({"service_tier": "flex"}, lambda r: r["service_tier"] == "flex"),
    "user": ({"user": "u1"}, lambda r: r["user"] == "u1"),
}


@pytest.mark.parametrize("param", sorted(IGNORED))
def test_ignore_param_accepts_and_drops_the_parameter(fake: FakeResponsesServer, client: httpx.Client, param: str):
    sent, applied = IGNORED[param]
    assert applied(create(client, fake.base_url, **sent).json())
    r = create(client, fake.fault_url(f"ignore-param={param}"), **sent)
    assert r.status_code == 200 and not applied(r.json())


def test_ignore_param_of_store_leaves_the_response_retrievable(fake: FakeResponsesServer, client: httpx.Client):
    u = fake.fault_url("ignore-param=store")
    r = create(client, u, store=False).json()
    assert r["store"] is True and client.get(f"{u}/responses/{r['id']}").status_code == 200


def test_ignore_param_of_previous_response_id_forgets_the_earlier_turn(fake: FakeResponsesServer, client):
    first = create(client, fake.base_url, input="My name is Ada.").json()
    r = create(client, fake.fault_url("ignore-param=previous_response_id"), previous_response_id=first["id"]).json()
    assert r["previous_response_id"] is None and "Ada" not in text_of(r)


def test_ignore_param_of_stream_options_keeps_obfuscation(fake: FakeResponsesServer, client: httpx.Client):
    u = fake.fault_url("ignore-param=stream_options.include_obfuscation")
    events = parse_sse(create(client, u, stream=True, stream_options={"include_obfuscation": False}).text)[0]
    assert any("obfuscation" in e.data for e in events)


def test_ignore_param_still_validates_what_it_ignores(fake: FakeResponsesServer, client: httpx.Client) -> None:
    r = create(client, fake.fault_url("ignore-param=temperature"), temperature=9)
    assert r.status_code == 400 and r.json()["error"]["param"] == "temperature"


def test_faults_named_twice_keep_both_values_and_the_constructor_takes_them(client: httpx.Client) -> None:
    with FakeResponsesServer(faults=["ignore-param=temperature", "ignore-param=user"]) as u:
        r = create(client, u, temperature=0.5, user="u1").json()
        assert (r["temperature"], r["user"]) == (1.0, None)
    with FakeResponsesServer(faults="crash-on=temperature:0.5,error-no-param") as u:
        assert create(client, u, temperature=0.5).status_code == 500
        assert "param" not in create(client, u, temperature=5).json()["error"]


def test_a_fault_that_needs_a_value_refuses_to_start_without_one(fake: FakeResponsesServer, client) -> None:
    for name in ("crash-on", "accept-invalid", "reject-valid", "ignore-param"):
        with pytest.raises(UnknownFault):
            FakeResponsesServer(faults=name)
        r = client.post(f"{fake.root}/fault/{name}/v1/responses", json={"model": MODEL, "input": "x"})
        assert r.status_code == 400 and r.json()["error"]["param"] == "url"


def test_error_no_param_leaves_2xx_and_5xx_alone(fake: FakeResponsesServer, client: httpx.Client) -> None:
    u = fake.fault_url("error-no-param", "crash-on=temperature:0.5")
    assert create(client, u).status_code == 200
    r = create(client, u, temperature=0.5)
    assert r.status_code == 500 and "param" in r.json()["error"]


_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 30) | st.floats(-3, 3) | st.sampled_from(["", "x", "auto", "none"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["type", "id", "effort", "x"]), inner),
    max_leaves=8,
)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    fault=st.sampled_from(["accept-invalid", "ignore-param"]),
    param=st.sampled_from(sorted(known_parameters())),
    value=_VALUE,
)
def test_a_lenient_or_forgetful_server_never_crashes(
    fake: FakeResponsesServer, client: httpx.Client, fault: str, param: str, value: Any
) -> None:
    r = create(client, fake.fault_url(f"{fault}={param}"), **{param: value})
    assert r.status_code in (200, 400, 404), r.text
    if fault == "accept-invalid" and r.status_code != 200:  # refused, but not for the parameter let through
        assert not names(r.json()["error"]["param"], param), r.text
