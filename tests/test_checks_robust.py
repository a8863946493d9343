"""No check crashes on provider JSON of the wrong shape: a wrong type is a finding, never an infrastructure error.

A crashing check lands in `outcome.errors` (and its findings are lost), so every test asserts `errors == []`.
The schema checks report the wrong type; the semantic checks stand down instead of misfiring.
"""

from __future__ import annotations

import copy
import os
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planted.traffic import base_names, build, load_base

from respcompat.checks import CheckContext, run_checks
from respcompat.engine import judge_exchanges, judge_for
from respcompat.preview import clip, preview

WRONG = {"list": [1], "object": {"a": 1}, "string": "0", "float": 1.5, "bool": True, "negative": -1}
INDEX_FIELDS = ("output_index", "content_index", "summary_index", "sequence_number", "item_id")
STREAMS = ("text_stream", "reasoning_stream", "function_call_stream")


def _with(base: str, field: str, value) -> list:
    """The base's exchanges with `field` replaced by `value` on every event that carries it."""
    xs = build(load_base(base), base)
    for e in xs[0].response.events:
        if isinstance(e.data, dict) and field in e.data:
            e.data[field] = copy.deepcopy(value)
    return xs


@pytest.mark.parametrize("wrong", sorted(WRONG))
@pytest.mark.parametrize("field", INDEX_FIELDS)
def test_an_index_of_the_wrong_type_is_a_finding_not_a_crash(field, wrong):
    judged = 0
    for base in STREAMS:
        xs = _with(base, field, WRONG[wrong])
        if not any(isinstance(e.data, dict) and field in e.data for e in xs[0].response.events):
            continue  # this stream has no such field
        judged += 1
        outcome = judge_exchanges(xs, "openai")
        assert outcome.errors == [], (base, outcome.errors)
        assert any(f.pointer.endswith("/" + field) for f in outcome.findings), (base, field, wrong)
    assert judged


def _only(findings, prefix="schema.") -> list[tuple]:
    return sorted({(f.check, f.pointer) for f in findings if not f.check.startswith(prefix)})


@pytest.mark.parametrize("base", STREAMS)
def test_missing_output_index_is_reported_once_and_item_checks_stand_down(base):
    # One real divergence (the server never sends output_index) is one semantic finding, from the check that
    # owns the field: no "never got output_item.done", no "terminal output differs".
    xs = build(load_base(base), base)
    for e in xs[0].response.events:
        if isinstance(e.data, dict):
            e.data.pop("output_index", None)
    outcome = judge_exchanges(xs, "openai")
    assert outcome.errors == []
    assert _only(outcome.findings) == [("stream.indexes", "/output_index")]


@pytest.mark.parametrize("base", STREAMS)
def test_output_index_missing_on_the_added_event_only_gives_one_finding(base):
    xs = build(load_base(base), base)
    for e in xs[0].response.events:
        if e.type == "response.output_item.added":
            del e.data["output_index"]
    outcome = judge_exchanges(xs, "openai")
    assert outcome.errors == []
    assert _only(outcome.findings) == [("stream.indexes", "/output_index")]


def test_missing_item_id_on_the_added_item_does_not_cascade():
    xs = build(load_base("text_stream"), "t")
    del xs[0].response.events[2].data["item"]["id"]
    outcome = judge_exchanges(xs, "openai")
    assert outcome.errors == []
    assert _only(outcome.findings) == []  # schema.event reports the missing id; nothing else misfires


def test_one_error_body_problem_gives_one_finding():
    xs = build(load_base("error_body"), "e")
    xs[0].response.body["error"]["code"] = 400
    outcome = judge_exchanges(xs, "openai")
    assert [(f.check, f.pointer) for f in outcome.findings] == [("schema.error", "/error/code")]


def test_html_error_body_is_http_error_body_s_finding():
    xs = build(load_base("error_body"), "e")
    xs[0].response.body, xs[0].response.raw_body, xs[0].response.status = None, "<html>502</html>", 502
    outcome = judge_exchanges(xs, "openai")
    assert "http.error_body" in {f.check for f in outcome.findings}
    assert "schema.error" not in {f.check for f in outcome.findings}


# --- bounded renderings ---------------------------------------------------------------------------------------


def _alias_bomb(depth: int = 30):
    node = ["lol"] * 10
    for _ in range(depth):
        node = [node] * 10  # 10**depth leaves, depth+1 distinct lists
    return node


def test_preview_is_bounded_on_an_alias_bomb_a_deep_nest_and_a_cycle():
    assert len(preview(_alias_bomb(), 200)) <= 203
    deep: list = []
    cur = deep
    for _ in range(100_000):
        cur.append([])
        cur = cur[0]
    assert preview(deep, 50) == "[" * 50 + "..."
    cyclic: list = []
    cyclic.append(cyclic)
    assert len(preview(cyclic, 30)) == 33


def test_preview_renders_small_values_as_json_and_clip_keeps_them():
    value = {"a": [1, 2.5, None, True], "b": "x"}
    assert preview(value) == '{"a": [1, 2.5, null, true], "b": "x"}'
    assert clip(value) is value
    assert clip("y" * 1000) == "y" * 200 + "..."
    assert isinstance(clip(list(range(10_000))), str) and len(clip(list(range(10_000)))) <= 203


def test_an_alias_bomb_in_a_body_is_judged_in_bounded_time():
    old = signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(TimeoutError("alias bomb walked")))
    signal.alarm(60)
    try:
        for field in ("metadata", "instructions", "output", "usage"):
            xs = build(load_base("text_body"), "b")
            xs[0].response.body[field] = _alias_bomb(25)
            # The checks alone (the engine's later steps walk bodies for their own reasons).
            judge = judge_for("openai")
            ctx = CheckContext(provider=judge.profile, contracts=judge.contracts, exchanges=xs)
            findings = run_checks(xs[0], ctx)
            assert ctx.errors == []
            assert findings
            for f in findings:
                assert len(preview(f.to_json(), 5000)) < 5000  # every finding is small
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_a_huge_value_is_cut_in_the_finding():
    xs = build(load_base("text_stream"), "t")
    xs[0].response.events[8].data["text"] = "z" * 1_000_000
    outcome = judge_exchanges(xs, "openai")
    assert outcome.errors == []
    hits = [f for f in outcome.findings if f.check == "accumulate.output_text" and f.event == 8]
    assert hits and hits[0].actual == "z" * 200 + "..."
    assert hits[0].expected == "Hello, test suite!"  # a small value stays as it is


# --- Hypothesis: a wrong value at a random place of real traffic --------------------------------------------------


def _paths(node, at=()):
    """Every JSON path in the exchange's request body, response body and event payloads."""
    yield at
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, at + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, at + (i,))


def _targets(raw: dict) -> list[tuple]:
    out = []
    for xi, x in enumerate(raw["exchanges"]):
        req = x.get("request") or {}
        if isinstance(req.get("body"), dict):
            out += [(xi, "request", "body") + p for p in _paths(req["body"])]
        resp = x.get("response") or {}
        if "body" in resp:
            out += [(xi, "response", "body") + p for p in _paths(resp["body"])]
        for ei, e in enumerate(resp.get("events") or []):
            if "data" in e:
                out += [(xi, "response", "events", ei, "data") + p for p in _paths(e["data"])]
    return out


def _deep(n: int):
    node: object = "leaf"
    for i in range(n):
        node = [node] if i % 2 else {"k": node}
    return node


WRONG_VALUES = st.one_of(
    st.sampled_from([None, True, False, -1, 0, 1.5, -0.0, 10**30, "", "0", [], {}, [1], {"a": 1}, [[]], {"type": 1}]),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.just("x" * 200_000),  # a huge string
    st.builds(_deep, st.integers(min_value=10, max_value=120)),  # a deep nest
    st.lists(st.integers(), max_size=5),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
BASES = base_names()
BUDGET = int(os.environ.get("RESPCOMPAT_FUZZ_EXAMPLES", "40"))


@settings(max_examples=BUDGET, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(base=st.sampled_from(BASES), pick=st.integers(min_value=0), value=WRONG_VALUES, drop=st.booleans())
def test_no_check_crashes_on_a_wrong_value_anywhere(base, pick, value, drop):
    raw = copy.deepcopy(load_base(base))
    targets = [t for t in _targets(raw) if len(t) > 3]
    path = targets[pick % len(targets)]
    parent = raw["exchanges"][path[0]]
    for key in path[1:-1]:
        parent = parent[key]
    if drop and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    outcome = judge_exchanges(build(raw, f"{base}+fuzz"), "openai")
    assert outcome.errors == [], (path, outcome.errors)
