"""The fake Responses API server (tests/fakes/): it conforms to the openai contract, and every planted fault is there.

Conformance is judged by respcompat itself (every suite case and flow, 0 findings); each fault is shown at the HTTP
level (the body is null, the header carries the key, the stream lacks the event), not through respcompat's checks.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fakes import DEFAULT_KEY, FAULTS, FakeResponsesServer
from fakes.faults import UnknownFault
from fakes.suites import run_suites
from fakes.validate import known_parameters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from respcompat import PROJECT_ROOT
from respcompat.generate import TOOL
from respcompat.plugin import render_finding
from respcompat.sse import parse_sse

AUTH = {"authorization": f"Bearer {DEFAULT_KEY}"}
MODEL = "gpt-4o-mini"
WEATHER = TOOL  # the generator's tool: the fake is tested with what respcompat sends


@pytest.fixture(scope="module")
def server() -> Any:
    srv = FakeResponsesServer(hang_seconds=5.0, delay=2.0)
    with srv:
        yield srv


@pytest.fixture(scope="module")
def url(server: FakeResponsesServer) -> str:
    return server.base_url


def call(
    method: str,
    url: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 20.0,
    **params: Any,
) -> httpx.Response:
    with httpx.Client(timeout=timeout, verify=False) as client:  # plain http: skip loading the CA bundle (slow)
        return client.request(
            method, url, json=body, headers=AUTH if headers is None else headers, params=params or None
        )


def create(url: str, **body: Any) -> httpx.Response:
    return call("POST", f"{url}/responses", {"model": MODEL, "input": "Say hi.", **body})


def events_of(r: httpx.Response) -> list[dict[str, Any]]:
    events, _ = parse_sse(r.text)
    return [e.data for e in events if isinstance(e.data, dict)]


def text_of(resp: dict[str, Any]) -> str:
    return "".join(p["text"] for item in resp["output"] if item["type"] == "message" for p in item["content"])


def assert_error(r: httpx.Response, status: int, param: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"} and isinstance(err["message"], str)
    assert err["type"] == "invalid_request_error"
    assert err["param"] == param
    return err


# --- conformance: respcompat judges every case and flow ------------------------------------------------------


def test_every_suite_case_and_flow_gives_zero_findings(url: str) -> None:
    results = run_suites(url, DEFAULT_KEY)
    sent = {cid: r for cid, r in results.items() if not r.skipped}
    assert len(sent) >= 30 and any(cid.startswith("flow.") for cid in sent)
    problems = [f"{cid}: " + render_finding(f) for cid, r in sent.items() for f in r.findings]
    problems += [f"{cid}: infrastructure error {r.infra_error}" for cid, r in sent.items() if r.infra_error]
    problems += [f"{cid}: step not sent: {u}" for cid, r in sent.items() for u in r.unsent]
    problems += [f"{cid}: nothing sent" for cid, r in sent.items() if not r.exchanges]
    assert not problems, "\n".join(problems)
    # skipped only where the case names other providers
    assert all("applies to" in r.skipped for r in results.values() if r.skipped)


def test_every_parameter_probe_finds_the_parameter_applied(url: str) -> None:
    results = run_suites(url, DEFAULT_KEY, only=lambda cid: cid.startswith("probe."))
    assert results and {cid: r.entry["probe"]["verdict"] for cid, r in results.items()} == {
        cid: "applied" for cid in results
    }


# --- conforming behaviour at the HTTP level --------------------------------------------------------------------


def test_answer_repeats_instructions_and_earlier_turns(url: str) -> None:
    first = create(url, input="My name is Ada Lovelace.").json()
    second = create(
        url, input="What is my name?", instructions="Answer in CAPITALS.", previous_response_id=first["id"]
    ).json()
    assert second["previous_response_id"] == first["id"]
    assert "Ada Lovelace" in text_of(second) and "CAPITALS" in text_of(second)


def test_json_schema_answer_satisfies_the_schema(url: str) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 10},
            "n": {"type": "integer", "minimum": 5},
            "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "minItems": 2},
            "ok": {"type": "boolean"},
            "x": {"anyOf": [{"type": "null"}, {"type": "number"}]},
        },
        "required": ["name", "n", "tags", "ok", "x"],
        "additionalProperties": False,
    }
    r = create(url, text={"format": {"type": "json_schema", "name": "t", "schema": schema, "strict": True}}).json()
    value = json.loads(text_of(r))
    assert len(value["name"]) >= 10 and value["n"] >= 5 and value["tags"] == ["a", "a"] and value["ok"] is True
    assert isinstance(value["x"], (int, float))
    assert r["text"]["format"] == {
        "type": "json_schema",
        "description": None,
        "name": "t",
        "schema": schema,
        "strict": True,
    }


def test_function_call_then_text_with_its_output(url: str) -> None:
    first = create(url, input="Weather in Paris?", tools=[WEATHER]).json()
    [call_item] = first["output"]
    assert call_item["type"] == "function_call" and json.loads(call_item["arguments"]) == {"city": "example"}
    output = {"type": "function_call_output", "call_id": call_item["call_id"], "output": "celsius 21"}
    second = create(
        url, input=[{"role": "user", "content": "Weather in Paris?"}, call_item, output], tools=[WEATHER]
    ).json()
    assert "celsius 21" in text_of(second)
    assert create(url, tools=[WEATHER], tool_choice="none").json()["output"][0]["type"] == "message"


def test_an_output_for_an_unknown_call_is_refused(url: str) -> None:
    r = create(url, input=[{"type": "function_call_output", "call_id": "call_nope", "output": "x"}])
    assert_error(r, 400, "input")


def test_max_output_tokens_cuts_the_answer_and_says_incomplete(url: str) -> None:
    r = create(url, input="Write a long story.", max_output_tokens=16).json()
    usage = r["usage"]
    assert r["status"] == "incomplete" and r["incomplete_details"] == {"reason": "max_output_tokens"}
    assert usage["output_tokens"] == len(text_of(r).split()) == 16
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert r["output"][0]["status"] == "incomplete"


def test_every_sent_parameter_is_echoed(url: str) -> None:
    sent = {
        "instructions": "Be brief.",
        "temperature": 0.5,
        "top_p": 0.9,
        "max_output_tokens": 500,
        "metadata": {"k": "v"},
        "store": True,
        "parallel_tool_calls": False,
        "truncation": "auto",
        "user": "u1",
        "safety_identifier": "s1",
        "prompt_cache_key": "p1",
        "max_tool_calls": 3,
        "tool_choice": {"type": "function", "name": "get_weather"},
        "top_logprobs": 2,
        "reasoning": {"effort": "low", "summary": "auto"},
    }
    r = create(url, tools=[WEATHER], **sent).json()
    assert {k: r[k] for k in sent} == sent
    assert r["tools"] == [WEATHER] and r["model"] == MODEL
    assert [i["type"] for i in r["output"]] == ["reasoning", "function_call"]


def test_stream_is_well_formed(url: str) -> None:
    r = create(url, stream=True)
    assert r.headers["content-type"].startswith("text/event-stream")
    events, framing = parse_sse(r.text)
    data = [e.data for e in events]
    assert [d["sequence_number"] for d in data] == list(range(len(data)))
    assert all(e.event == e.data["type"] for e in events) and "[DONE]" not in r.text
    types = [d["type"] for d in data]
    assert types[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    deltas = "".join(d["delta"] for d in data if d["type"] == "response.output_text.delta")
    done = next(d for d in data if d["type"] == "response.output_text.done")
    assert deltas == done["text"] == text_of(data[-1]["response"]) and len(deltas.split()) > 5


def test_streamed_create_is_stored_as_its_terminal_response(url: str) -> None:
    final = events_of(create(url, stream=True))[-1]["response"]
    assert call("GET", f"{url}/responses/{final['id']}").json() == final


def test_bad_requests_are_refused_with_the_parameter_named(url: str) -> None:
    assert_error(call("POST", f"{url}/responses", {"input": "x"}), 400, "model")
    assert_error(call("POST", f"{url}/responses", {"model": MODEL}), 400, "input")
    assert assert_error(create(url, temperature=7), 400, "temperature")["code"] == "decimal_above_max_value"
    assert assert_error(create(url, temperature=-1), 400, "temperature")["code"] == "decimal_below_min_value"
    assert_error(create(url, top_p=1.5), 400, "top_p")
    assert_error(create(url, temperature="hot"), 400, "temperature")
    assert assert_error(create(url, model="respcompat-no-such-model"), 400, "model")["code"] == "model_not_found"
    assert assert_error(create(url, enable_thinking=True), 400, "enable_thinking")["code"] == "unknown_parameter"
    assert_error(create(url, max_output_tokens=5), 400, "max_output_tokens")
    assert_error(create(url, previous_response_id="resp_nope"), 400, "previous_response_id")
    assert_error(create(url, tool_choice={"type": "function", "name": "nope"}), 400, "tool_choice")
    assert_error(create(url, input=[{"role": "robot", "content": "x"}]), 400, "input[0].role")
    for edge in ({"temperature": 0}, {"temperature": 2}, {"top_p": 0}, {"top_p": 1}):
        assert create(url, **edge).status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"null",
        b"[1]",
        b'"x"',
        b"\xff\xfe",
        b'{"model": 5, "input": "x"}',
        b'{"model": "gpt-4o", "input": 5}',
        b'{"model": "gpt-4o", "input": [5]}',
        b'{"model": "gpt-4o", "input": "x", "tools": "x"}',
        b'{"model": "gpt-4o", "input": "x", "metadata": {"a": 1}}',
        b'{"model": "gpt-4o", "input": "x", "text": {"format": {"type": "json_schema"}}}',
    ],
)
def test_malformed_bodies_get_400_with_an_error_body(url: str, raw: bytes) -> None:
    with httpx.Client(timeout=20) as client:
        r = client.post(f"{url}/responses", content=raw, headers={**AUTH, "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-3, 3)
    | st.sampled_from(
        ["", "x", "auto", "none", "required", "function", "json_schema", "user", "message", "function_call_output"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["type", "name", "role", "content", "format", "schema", "call_id", "output", "effort", "text"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(extra=st.dictionaries(st.sampled_from(sorted(known_parameters())), _JSON, max_size=4))
def test_no_create_body_makes_it_fail_with_a_5xx(url: str, extra: dict[str, Any]) -> None:
    r = create(url, **extra)
    assert r.status_code in (200, 400, 404), r.text
    if r.status_code != 200:
        assert set(r.json()["error"]) == {"message", "type", "param", "code"}


def test_a_wrong_or_missing_key_is_refused_with_401_without_echoing_it(url: str) -> None:
    wrong = "sk-respcompat-invalid-0000000000000000"
    r = call("POST", f"{url}/responses", {"model": MODEL, "input": "x"}, headers={"authorization": f"Bearer {wrong}"})
    assert assert_error(r, 401)["code"] == "invalid_api_key" and wrong not in r.text
    assert_error(call("GET", f"{url}/responses/resp_x", headers={}), 401)
    with FakeResponsesServer(api_key="sk-other") as other:
        assert call("POST", f"{other}/responses", {"model": MODEL, "input": "x"}).status_code == 401


def test_retrieve_delete_and_retrieve_again(url: str) -> None:
    created = create(url).json()
    rid = created["id"]
    assert call("GET", f"{url}/responses/{rid}").json() == created
    assert call("DELETE", f"{url}/responses/{rid}").json() == {"id": rid, "object": "response.deleted", "deleted": True}
    assert "not found" in assert_error(call("GET", f"{url}/responses/{rid}"), 404)["message"]
    assert_error(call("DELETE", f"{url}/responses/{rid}"), 404)
    assert_error(call("GET", f"{url}/responses/{rid}/input_items"), 404)


def test_store_false_is_not_retrievable_nor_chainable(url: str) -> None:
    rid = create(url, store=False).json()["id"]
    assert_error(call("GET", f"{url}/responses/{rid}"), 404)
    assert_error(create(url, previous_response_id=rid), 400, "previous_response_id")


def test_input_items_list_the_whole_chain_newest_first(url: str) -> None:
    first = create(url, input="one").json()
    second = create(url, input="two", previous_response_id=first["id"]).json()
    page = call("GET", f"{url}/responses/{second['id']}/input_items").json()
    texts = [p.get("text") for item in page["data"] for p in item["content"]]
    assert texts == ["two", text_of(first), "one"]
    assert page["object"] == "list" and page["has_more"] is False
    assert (page["first_id"], page["last_id"]) == (page["data"][0]["id"], page["data"][-1]["id"])
    one = call("GET", f"{url}/responses/{second['id']}/input_items", limit=1, order="asc").json()
    assert one["has_more"] is True and one["data"][0]["content"][0]["text"] == "one"
    rest = call("GET", f"{url}/responses/{second['id']}/input_items", order="asc", after=one["last_id"]).json()
    assert len(rest["data"]) == 2


def test_cancel_only_background_responses(url: str) -> None:
    assert_error(call("POST", f"{url}/responses/{create(url).json()['id']}/cancel"), 400)
    assert_error(call("POST", f"{url}/responses/resp_nope/cancel"), 404)
    queued = create(url, background=True).json()
    assert queued["status"] == "queued" and queued["usage"] is None and queued["output"] == []
    cancelled = call("POST", f"{url}/responses/{queued['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    polled = create(url, background=True).json()
    assert call("GET", f"{url}/responses/{polled['id']}").json()["status"] == "completed"


def test_input_tokens_counts_words(url: str) -> None:
    r = call("POST", f"{url}/responses/input_tokens", {"model": MODEL, "input": "one two three"})
    assert r.json() == {"object": "response.input_tokens", "input_tokens": 3}


def test_compact_keeps_user_messages_and_folds_the_rest(url: str) -> None:
    r = call(
        "POST",
        f"{url}/responses/compact",
        {
            "model": MODEL,
            "input": [{"role": "user", "content": "My name is Ada."}, {"role": "assistant", "content": "OK."}],
        },
    ).json()
    assert r["object"] == "response.compaction" and [i["type"] for i in r["output"]] == ["message", "compaction"]
    assert r["output"][0]["content"][0]["text"] == "My name is Ada." and r["output"][1]["encrypted_content"]
    assert_error(
        call("POST", f"{url}/responses/compact", {"model": MODEL, "input": "x", "stream": True}), 400, "stream"
    )


def test_unknown_route_and_unknown_fault_answer_with_error_bodies(server: FakeResponsesServer, url: str) -> None:
    assert_error(call("GET", f"{url}/models"), 404)
    assert_error(call("PUT", f"{url}/responses"), 404)
    assert_error(call("POST", f"{server.root}/fault/no-such-fault/v1/responses", {}), 400, "url")
    with pytest.raises(UnknownFault):
        FakeResponsesServer(faults="no-such-fault")


def test_runs_as_a_script() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.server", "--port", str(port), "--faults", "null-body"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # printed once it listens
        assert f"http://127.0.0.1:{port}/v1" in line and "null-body" in line
        r = create(f"http://127.0.0.1:{port}/v1")
        assert (r.status_code, r.content) == (200, b"null")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_hanging_handler_ends_when_the_server_stops() -> None:
    srv = FakeResponsesServer(faults="hang", hang_seconds=60)
    outcome: list[Any] = []
    with srv as base:
        t = threading.Thread(target=lambda: outcome.append(_try(lambda: create(base))))
        t.start()
        while srv.received == 0:  # the request reached the handler, which now hangs
            t.join(0.05)
    t.join(30)  # a guard, not a timing: stop() woke the handler, so the client saw the connection close
    assert not t.is_alive() and isinstance(outcome[0], httpx.RemoteProtocolError)


def _try(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001
        return exc


# --- the planted faults, each shown on the wire ---------------------------------------------------------------

PROOFS: dict[str, Callable[[FakeResponsesServer, str], None]] = {}
SPECS: dict[str, str] = {}  # the fault as the proof switches it on, when it takes a value


def proves(name: str, spec: str | None = None) -> Callable:
    def register(fn: Callable) -> Callable:
        PROOFS[name] = fn
        SPECS[name] = spec or name
        return fn

    return register


@proves("null-body")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u)
    assert (r.status_code, r.content) == (200, b"null")


@proves("html-body")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u)
    assert r.status_code == 200 and r.headers["content-type"] == "text/html" and r.text.startswith("<!DOCTYPE html>")


@proves("truncated-json")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u)
    assert r.status_code == 200 and r.text.startswith('{"id": "resp_')
    with pytest.raises(ValueError):
        json.loads(r.text)


@proves("list-body")
def _(srv: FakeResponsesServer, u: str) -> None:
    body = create(u).json()
    assert isinstance(body, list) and body[0]["object"] == "response"


@proves("wrong-object")
def _(srv: FakeResponsesServer, u: str) -> None:
    assert create(u).json()["object"] == "chat.completion"


@proves("empty-body")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u)
    assert (r.status_code, r.content) == (200, b"")


@proves("ignore-previous-response-id")
def _(srv: FakeResponsesServer, u: str) -> None:
    first = create(u, input="My name is Ada.").json()
    second = create(u, input="My name?", previous_response_id=first["id"]).json()
    assert second["previous_response_id"] is None and "Ada" not in text_of(second)


@proves("ignore-instructions")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u, instructions="Say BANANA.").json()
    assert r["instructions"] is None and "BANANA" not in text_of(r)


@proves("drop-text-format")
def _(srv: FakeResponsesServer, u: str) -> None:
    fmt = {"type": "json_schema", "name": "t", "schema": {"type": "object", "properties": {}}}
    r = create(u, text={"format": fmt}).json()
    assert r["text"]["format"] == {"type": "text"}
    with pytest.raises(ValueError):
        json.loads(text_of(r))


@proves("ignore-max-output-tokens")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u, max_output_tokens=16).json()
    assert r["status"] == "completed" and r["max_output_tokens"] == 16 and r["usage"]["output_tokens"] > 16


def _types(u: str) -> list[str]:
    return [e["type"] for e in events_of(create(u, stream=True))]


@proves("no-output-text-done")
def _(srv: FakeResponsesServer, u: str) -> None:
    types = _types(u)
    assert "response.output_text.delta" in types and "response.output_text.done" not in types


@proves("no-content-part-done")
def _(srv: FakeResponsesServer, u: str) -> None:
    types = _types(u)
    assert "response.content_part.added" in types and "response.content_part.done" not in types


@proves("no-output-item-done")
def _(srv: FakeResponsesServer, u: str) -> None:
    types = _types(u)
    assert "response.output_item.added" in types and "response.output_item.done" not in types


@proves("no-event-lines")
def _(srv: FakeResponsesServer, u: str) -> None:
    lines = create(u, stream=True).text.splitlines()
    assert any(ln.startswith("data: ") for ln in lines) and not any(ln.startswith("event:") for ln in lines)


@proves("done-sentinel")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u, stream=True)
    assert r.text.endswith("data: [DONE]\n\n") and '"type":"response.completed"' in r.text


@proves("wrong-terminal-event")
def _(srv: FakeResponsesServer, u: str) -> None:
    last = events_of(create(u, stream=True))[-1]
    assert last["type"] == "response.completed" and last["response"]["status"] == "incomplete"


@proves("no-sequence-number")
def _(srv: FakeResponsesServer, u: str) -> None:
    events = events_of(create(u, stream=True))
    assert events and not any("sequence_number" in e for e in events)


@proves("no-output-index")
def _(srv: FakeResponsesServer, u: str) -> None:
    events = events_of(create(u, stream=True))
    assert any("item_id" in e for e in events) and not any("output_index" in e for e in events)


@proves("cut-stream")
def _(srv: FakeResponsesServer, u: str) -> None:
    got = []
    with pytest.raises(httpx.RemoteProtocolError):  # the chunked body ends without its last chunk
        with (
            httpx.Client(timeout=20, verify=False) as client,
            client.stream(
                "POST", f"{u}/responses", json={"model": MODEL, "input": "x", "stream": True}, headers=AUTH
            ) as r,
        ):
            for chunk in r.iter_bytes():
                got.append(chunk)
    cut = [e.data for e in parse_sse(b"".join(got))[0]]
    whole = events_of(create(srv.base_url, input="x", stream=True))
    assert len(cut) == len(whole) // 2 and cut[-1]["type"] not in ("response.completed", "response.incomplete")


@proves("503-always")
def _(srv: FakeResponsesServer, u: str) -> None:
    for r in (create(u), call("GET", f"{u}/responses/resp_x")):
        assert r.status_code == 503 and r.json()["error"]["type"] == "server_error"


@proves("429-once")
def _(srv: FakeResponsesServer, u: str) -> None:
    first, retry = create(u, input="429 please"), create(u, input="429 please")
    assert first.status_code == 429 and first.headers["retry-after"] == "0" and "error" in first.json()
    assert retry.status_code == 200 and retry.json()["object"] == "response"
    assert create(u, input="another body").status_code == 429


@proves("slow-first-byte")
def _(srv: FakeResponsesServer, u: str) -> None:
    for slow in (u, u.replace("slow-first-byte", "slow-first-byte=3")):  # default 2 s here, then 3 s
        with pytest.raises(httpx.ReadTimeout):
            call("POST", f"{slow}/responses", {"model": MODEL, "input": "x"}, timeout=0.3)
    with pytest.raises(httpx.ReadTimeout):  # the delay also comes from ?delay=
        call(
            "POST",
            f"{srv.fault_url('slow-first-byte=0')}/responses",
            {"model": MODEL, "input": "x"},
            timeout=0.3,
            delay=3,
        )
    assert call("POST", f"{u}/responses", {"model": MODEL, "input": "x"}).status_code == 200


@proves("hang")
def _(srv: FakeResponsesServer, u: str) -> None:
    with pytest.raises(httpx.ReadTimeout):
        call("POST", f"{u}/responses", {"model": MODEL, "input": "x"}, timeout=0.3)


def _unimplemented(r: httpx.Response) -> None:
    assert (r.status_code, r.text) == (404, "404 page not found\n") and r.headers["content-type"].startswith(
        "text/plain"
    )


@proves("no-websocket")
def _(srv: FakeResponsesServer, u: str) -> None:
    from respcompat.steps import WEBSOCKET_HEADERS

    r = httpx.get(f"{u}/responses", headers={**WEBSOCKET_HEADERS, "authorization": f"Bearer {DEFAULT_KEY}"}, timeout=10)
    assert r.status_code == 404, r.status_code


@proves("no-retrieve")
def _(srv: FakeResponsesServer, u: str) -> None:
    _unimplemented(call("GET", f"{u}/responses/{create(u).json()['id']}"))


@proves("no-delete")
def _(srv: FakeResponsesServer, u: str) -> None:
    _unimplemented(call("DELETE", f"{u}/responses/{create(u).json()['id']}"))


@proves("no-input-items")
def _(srv: FakeResponsesServer, u: str) -> None:
    _unimplemented(call("GET", f"{u}/responses/{create(u).json()['id']}/input_items"))


@proves("store-false-retrievable")
def _(srv: FakeResponsesServer, u: str) -> None:
    created = create(u, store=False).json()
    assert call("GET", f"{u}/responses/{created['id']}").json() == created


@proves("retrieve-after-delete")
def _(srv: FakeResponsesServer, u: str) -> None:
    rid = create(u).json()["id"]
    assert call("DELETE", f"{u}/responses/{rid}").json()["deleted"] is True
    assert call("GET", f"{u}/responses/{rid}").status_code == 200


@proves("retrieve-differs")
def _(srv: FakeResponsesServer, u: str) -> None:
    created = create(u).json()
    assert text_of(call("GET", f"{u}/responses/{created['id']}").json()) != text_of(created)


@proves("echo-key-body")
def _(srv: FakeResponsesServer, u: str) -> None:
    assert create(u).json()["metadata"]["caller_key"] == DEFAULT_KEY


@proves("echo-key-header")
def _(srv: FakeResponsesServer, u: str) -> None:
    assert create(u).headers["x-caller-key"] == DEFAULT_KEY


@proves("echo-key-error")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u)
    assert r.status_code == 400 and DEFAULT_KEY in r.json()["error"]["message"]


@proves("deep-json")
def _(srv: FakeResponsesServer, u: str) -> None:
    node, depth = create(u).json()["debug"], 0
    while isinstance(node, dict):
        node, depth = node["a"], depth + 1
    assert depth == 600


@proves("extra-fields")
def _(srv: FakeResponsesServer, u: str) -> None:
    assert "timings" in create(u).json()
    events = events_of(create(u, stream=True))
    deltas = [e for e in events if e["type"].endswith(".delta")]
    assert deltas and all("obfuscation" in e for e in deltas) and "timings" in events[-1]["response"]


@proves("error-type-bad")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u)
    assert r.status_code == 400 and r.json()["error"]["type"] == "bad_thing"


@proves("crash-on", "crash-on=temperature:0.5")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u, temperature=0.5)
    assert r.status_code == 500 and r.json()["error"]["type"] == "server_error"
    assert create(u, temperature=0.6).status_code == 200  # only that value


@proves("flaky-crash")
def _(srv: FakeResponsesServer, u: str) -> None:
    assert [create(u).status_code for _ in range(4)] == [200, 500, 200, 500]


@proves("accept-invalid", "accept-invalid=temperature")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u, temperature=7)
    assert r.status_code == 200 and r.json()["temperature"] == 7
    assert_error(create(u, top_p=7), 400, "top_p")  # only that parameter


@proves("reject-valid", "reject-valid=temperature:0.5")
def _(srv: FakeResponsesServer, u: str) -> None:
    assert "temperature" in assert_error(create(u, temperature=0.5), 400, "temperature")["message"]
    assert create(u, temperature=0.6).status_code == 200


@proves("ignore-param", "ignore-param=max_output_tokens")
def _(srv: FakeResponsesServer, u: str) -> None:
    r = create(u, input="Write a long story.", max_output_tokens=16).json()
    assert r["status"] == "completed" and r["incomplete_details"] is None and r["max_output_tokens"] is None
    assert r["usage"]["output_tokens"] > 16


@proves("error-no-param")
def _(srv: FakeResponsesServer, u: str) -> None:
    for r in (create(u, temperature=7), create(u, top_p="x"), create(u, conversation="conv_nope")):
        err = r.json()["error"]
        assert 400 <= r.status_code < 500 and "param" not in err and err["message"] and err["type"]
        assert not any(name in err["message"] for name in ("temperature", "top_p", "conversation"))


def test_every_fault_has_a_proof() -> None:
    assert sorted(PROOFS) == sorted(FAULTS) and all(FAULTS.values())


@pytest.mark.parametrize("name", sorted(PROOFS))
def test_fault_is_on_the_wire(server: FakeResponsesServer, name: str) -> None:
    PROOFS[name](server, server.fault_url(SPECS[name]))


@pytest.mark.parametrize("name", sorted(PROOFS))
def test_the_same_proof_fails_on_the_conforming_server(server: FakeResponsesServer, name: str) -> None:
    with pytest.raises((AssertionError, KeyError, pytest.fail.Exception)):
        PROOFS[name](server, server.base_url)


def test_faults_given_to_the_constructor_apply_to_the_plain_base_url() -> None:
    with FakeResponsesServer(faults=["wrong-object"]) as base:
        assert base.endswith("/v1") and create(base).json()["object"] == "chat.completion"
