"""Requests generated from the provider's request contract (respcompat.generate), run by the same plugin as every
case: one case per parameter (every documented value, range edge and broken rule), one parameter-effect pair per
parameter, Hypothesis combinations of valid values, and a state machine over the stored-response endpoints.

Offline, a case replays its cassette: the per-parameter plan and the effect pairs are the same on every run; the
Hypothesis cases resend the requests their cassette recorded, in order.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pytest

from respcompat import generate
from respcompat.generate import Target, short

FEATURES = {"param": ["generated-requests"], "effect": ["parameter-effects"], "combined": ["generated-requests"]}


@lru_cache(maxsize=8)
def _plan(provider: str) -> tuple[Any, list[Target], dict[str, Any]]:
    from respcompat.contracts import load_contract
    from respcompat.providers import load_profile

    contract = load_contract(load_profile(provider).contract)
    return contract, generate.plan(contract, load_contract("openai")), generate.base_request(contract)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    kind = metafunc.function.__name__.removeprefix("test_")
    if kind not in ("param", "effect", "combined", "state"):
        return
    provider = metafunc.config.getoption("provider")
    cases: list[dict[str, Any]] = []
    if provider:
        contract, targets, _ = _plan(provider)
        if kind == "param":
            for name in dict.fromkeys(t.parameter for t in targets):
                cases.append({"id": f"gen.param.{name}", "parameter": name, "features": FEATURES["param"]})
        elif kind == "effect":
            from respcompat.effects import effects_of

            for effect in effects_of(contract)[0]:
                cases.append({"id": effect.case_id, "parameter": effect.parameter, "features": FEATURES["effect"]})
        elif kind == "combined":
            cases.append({"id": "gen.combined", "features": FEATURES["combined"]})
        else:
            cases.append({"id": "gen.state", "features": ["state-machine", "store", "retrieve", "delete"]})
    metafunc.parametrize("case", [pytest.param(c, id=c["id"], marks=pytest.mark.respcompat(c["id"])) for c in cases])


def _meta(t: Target) -> dict[str, Any]:
    return {"kind": t.kind, "parameter": t.parameter, "path": t.path, "value": short(t.leaf), "rule": t.rule}


def test_param(case: dict[str, Any], respcompat: Any) -> None:
    """Every target of one parameter: valid values accepted, one broken rule refused naming it, no 5xx."""
    __tracebackhide__ = True
    _, targets, base = _plan(respcompat.settings.provider)
    mine = [t for t in targets if t.parameter == case["parameter"] and not t.unsent]
    repeat = respcompat.generation["repeat"]

    def flow(t: Any) -> list[str]:
        for target in mine:
            for r in range(repeat):
                x = t.create(target.body(respcompat.model, base))
                x.meta.update({"generated": _meta(target), "expect": {}, "target": target.id, "repeat": r})
        return []

    respcompat.run(flow, before_judging=lambda xs: _record_outcomes(respcompat, xs))


def _record_outcomes(respcompat: Any, exchanges: list[Any]) -> None:
    """What the server did with each target (coverage), and targets whose outcome differed across repeats (flaky)."""
    from respcompat.checks.generated import outcome

    by_target: dict[Any, dict[str, Any]] = {}
    for x in exchanges:
        g = x.meta.get("generated")
        if not isinstance(g, dict):
            continue
        # Only repeats of one target are compared: two requests that merely read alike are two rows.
        key = x.meta.get("target") if x.meta.get("repeat") is not None else None
        row = by_target.setdefault(key or ("exchange", x.index), {**g, "outcomes": []})
        row["outcomes"].append(outcome(x))
    rows = list(by_target.values())
    respcompat.entry["generated"] = [
        {**{k: v for k, v in r.items() if k != "outcomes"}, "outcome": r["outcomes"][0], "repeats": len(r["outcomes"])}
        for r in rows
    ]
    flaky = [
        {"case": respcompat.case_id, "request": f"{r['path']}={r['value']}", "verdicts": r["outcomes"]}
        for r in rows
        if len(set(r["outcomes"])) > 1
    ]
    if flaky:
        respcompat.entry["flaky"] = flaky


def test_effect(case: dict[str, Any], respcompat: Any) -> None:
    """A control request and one with the parameter varied: does the parameter show its effect?"""
    __tracebackhide__ = True
    from respcompat.effects import effect_for, judge
    from respcompat.steps import Precondition, resolve

    contract, _, base = _plan(respcompat.settings.provider)
    effect = effect_for(contract, case["parameter"])
    assert effect is not None, case

    def flow(t: Any) -> list[str]:
        saved: dict[str, Any] = {}
        if effect.setup is not None:
            first = t.create({"model": respcompat.model, **base, **effect.setup})
            first.meta.update(
                {"expect": {"http_status": "2xx"}, "effect": {"parameter": effect.parameter, "role": "setup"}}
            )
            saved["setup"] = first
        control = t.create({"model": respcompat.model, **base, **effect.control})
        control.meta.update({"expect": {}, "effect": {"parameter": effect.parameter, "role": "control"}})
        try:
            varied_part = resolve(effect.varied, saved, 3)
        except Precondition as exc:
            return [str(exc)]
        body = {"model": respcompat.model, **base, **effect.control, **varied_part}
        varied = t.create(body)
        value = varied_part.get(effect.parameter)
        varied.meta.update(
            {
                "expect": {},
                "effect": {"parameter": effect.parameter, "role": "varied"},
                "generated": {
                    "kind": "positive",
                    "parameter": effect.parameter,
                    "path": effect.parameter,
                    "value": short(value),
                    "rule": "effect",
                },
            }
        )
        return []

    def before_judging(exchanges: list[Any]) -> None:
        roles = {x.meta.get("effect", {}).get("role"): x for x in exchanges if isinstance(x.meta.get("effect"), dict)}
        if "control" in roles and "varied" in roles:
            verdict, evidence = judge(effect, roles["control"], roles["varied"])
        else:
            verdict, evidence = "inconclusive", "the pair was not completed"
        respcompat.entry["effect"] = {
            "parameter": effect.parameter,
            "verdict": verdict,
            "evidence": evidence,
            "model_dependent": effect.model_dependent,
            "measure": effect.measure,
        }

    respcompat.run(flow, before_judging=before_judging)


def test_combined(case: dict[str, Any], respcompat: Any) -> None:
    """Hypothesis: valid values of several parameters together; a failing example is shrunk to the smallest."""
    __tracebackhide__ = True
    from respcompat import hunt

    _, targets, base = _plan(respcompat.settings.provider)
    respcompat.run(
        lambda t: hunt.combined(respcompat, t, targets, base),
        before_judging=lambda xs: _record_outcomes(respcompat, xs),
    )


def test_state(case: dict[str, Any], respcompat: Any) -> None:
    """A Hypothesis state machine over create, continue, retrieve, delete and input_items (and cancel where documented)."""
    __tracebackhide__ = True
    from respcompat import hunt

    respcompat.run(lambda t: hunt.state(respcompat, t))
