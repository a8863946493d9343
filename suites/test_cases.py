"""The one generic runner: every case and flow in suites/cases/*.yaml, and every doc.* cassette of the provider.

A case is a list of steps (one request, a probe's two, or a flow's several: respcompat.steps), sent or replayed
through the transport; its exchanges are judged by the engine and given a verdict by the plugin.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from respcompat import PROJECT_ROOT
from respcompat.recording import CASSETTES_DIR
from respcompat.steps import run_steps, steps_of

HERE = Path(__file__).parent


@lru_cache(maxsize=1)
def load_cases() -> list[dict[str, Any]]:
    """Every case, validated against schemas/_meta/case.schema.json and the closed feature list."""
    schema = json.loads((PROJECT_ROOT / "schemas/_meta/case.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    features = set(feature_list())
    cases, seen = [], set()
    for path in sorted((HERE / "cases").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for err in validator.iter_errors(data):
            raise ValueError(f"{path}: at /{'/'.join(map(str, err.absolute_path))}: {err.message}")
        for case in data["cases"]:
            unknown = set(case["features"]) - features
            if unknown or case["id"] in seen:
                raise ValueError(
                    f"{path}: {case['id']}: "
                    + (f"features {sorted(unknown)} not in suites/features.txt" if unknown else "duplicate id")
                )
            seen.add(case["id"])
            cases.append(case)
    return cases


def feature_list() -> list[str]:
    lines = (HERE / "features.txt").read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.function.__name__ != "test_case":
        return
    provider = metafunc.config.getoption("provider")
    cases = list(load_cases())
    known = {c["id"] for c in cases}
    if provider:  # transcribed doc examples that fit no case are judged too
        root = Path(metafunc.config.getoption("cassette_dir") or CASSETTES_DIR)
        for p in sorted((root / provider).glob("doc.*.yaml")):
            if p.stem not in known:
                cases.append({"id": p.stem, "title": "documentation example", "features": ["documentation"]})
    metafunc.parametrize("case", [pytest.param(c, id=c["id"], marks=pytest.mark.respcompat(c["id"])) for c in cases])


def _applies(case: dict[str, Any], profile: Any) -> str | None:
    """None, or why the case does not apply to this provider."""
    if case.get("providers") and profile.name not in case["providers"]:
        return f"{case['id']} applies to {', '.join(case['providers'])} only"
    for path in case.get("requires") or []:
        node: Any = profile
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
        if not node:
            return f"{profile.name} does not document {path} (providers/{profile.name}.yaml)"
    return None


def test_case(case: dict[str, Any], respcompat: Any) -> None:
    """Send (or replay) the case's steps; the engine judges every exchange and the plugin gives the verdict."""
    __tracebackhide__ = True
    why = _applies(case, respcompat.settings.profile)
    if why and respcompat.kind != "documentation":
        pytest.skip(why)
    probe = case.get("probe")

    def flow(t: Any) -> list[str]:
        if not any(k in case for k in ("request", "response_id", "steps", "endpoint")):
            pytest.skip(f"{case['id']}: a documentation example, with no request to send live")
        return run_steps(t, case, respcompat.model)

    def before_judging(exchanges: list[Any]) -> None:
        # A transcribed documentation example is not sent step by step: step i's expectation goes to exchange i.
        for x, step in zip(exchanges, steps_of(case)):
            if not x.meta.get("expect") and step.get("expect"):
                x.meta["expect"] = dict(step["expect"])
        if probe:
            respcompat.entry["probe"] = {"parameter": probe["parameter"], "verdict": probe_verdict(exchanges, probe)}

    respcompat.run(flow, meta={"doc": case.get("doc")}, before_judging=before_judging)


def probe_verdict(exchanges: list[Any], probe: dict[str, Any]) -> str:
    """applied | ignored | rejected | inconclusive, from the control and the varied exchange."""
    by = {x.meta.get("probe"): x for x in exchanges}
    control, varied = by.get("control"), by.get("varied")
    if control is None or varied is None or control.response is None or varied.response is None:
        return "inconclusive"
    if _ok(control) and not _ok(varied):
        return "rejected"
    if not (_ok(control) and _ok(varied)):
        return "inconclusive"
    from respcompat.effects import INCONCLUSIVE, Effect, judge

    # Structure first (respcompat.effects): the token counts for max_output_tokens, the echo for instructions.
    measure = {"max_output_tokens": "token_cap", "instructions": "echo"}.get(probe["parameter"])
    if measure:
        verdict, _ = judge(Effect(probe["parameter"], dict(probe["vary"]), measure), control, varied)
        if verdict != INCONCLUSIVE or measure == "token_cap":
            return verdict
    shown = [_shows(x, probe["effect"]) for x in (control, varied)]
    return "applied" if shown == [False, True] else "ignored" if shown[0] == shown[1] else "inconclusive"


def _ok(x: Any) -> bool:
    return x.response.status is not None and 200 <= x.response.status < 300


def _final(x: Any) -> dict[str, Any]:
    """The response object: the body, or the terminal event's `response` of a stream."""
    if x.response.events is None:
        return x.response.body if isinstance(x.response.body, dict) else {}
    finals = [
        e.data["response"]
        for e in x.response.events
        if isinstance(e.data, dict) and isinstance(e.data.get("response"), dict)
    ]
    return finals[-1] if finals else {}


def _shows(x: Any, effect: dict[str, Any]) -> bool:
    """Does the answer show every part of `effect`? (the probe's measurement, not a conformance check)"""
    resp = _final(x)
    output = resp.get("output") or []
    text = "".join(
        c.get("text", "")
        for item in output
        if item.get("type") == "message"
        for c in item.get("content") or []
        if isinstance(c, dict)
    )
    calls = [item.get("name") for item in output if item.get("type") == "function_call"]
    for key, want in effect.items():
        if key == "output_text_contains" and want.lower() not in text.lower():
            return False
        if key == "status" and resp.get("status") != want:
            return False
        if key == "function_call" and (bool(calls) != bool(want) or (isinstance(want, str) and want not in calls)):
            return False
        if key == "output_json":
            try:
                json.loads(text)
            except ValueError:
                return not want
    return True
