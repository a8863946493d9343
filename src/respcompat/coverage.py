"""What the generated requests exercised, for the run record: per documented parameter and enum value what was sent
and what the server did, the parameter-effect table, and the generation seed (schemas/_meta/run-record.schema.json).
"""

from __future__ import annotations

from typing import Any

from .generate import NOT_POSITIVE, POSITIVE, enum_targets, short


def add_generated(record: dict[str, Any], profile: Any, generation: dict[str, Any]) -> None:
    """Add `coverage`, `parameter_effects` and `generation` when any case of the run generated requests."""
    cases = record.get("cases") or []
    rows = [dict(r, case=c["id"]) for c in cases for r in c.get("generated") or []]
    effects = {
        c["effect"]["parameter"]: dict(c["effect"], case=c["id"]) for c in cases if isinstance(c.get("effect"), dict)
    }
    if not rows and not effects:
        return
    flaky = [f for c in cases for f in c.get("flaky") or []]
    record["generation"] = {**{k: v for k, v in generation.items() if k != "live"}, "flaky": flaky}
    if effects:
        record["parameter_effects"] = {
            name: {k: e[k] for k in ("verdict", "evidence", "model_dependent", "case") if k in e}
            for name, e in sorted(effects.items())
        }
    record["coverage"] = coverage(rows, cases, profile)


def coverage(rows: list[dict[str, Any]], cases: list[dict[str, Any]], profile: Any) -> dict[str, Any]:
    from .contracts import load_contract
    from .generate import plan

    contract = load_contract(profile.contract)
    targets = plan(contract, load_contract("openai"))
    documented = sorted(contract.files["objects/create_request.json"].get("properties") or {})
    unlisted = sorted({t.parameter for t in targets if t.kind == "unlisted"})
    why_not = {
        c["id"].removeprefix("gen.param."): (c.get("reasons") or [c.get("verdict")])[0]
        for c in cases
        if c["id"].startswith("gen.param.")
    }
    params: dict[str, Any] = {}
    for name in documented + unlisted:
        mine = [r for r in rows if r.get("parameter") == name]
        outcomes: dict[str, int] = {}
        values: dict[str, str] = {}
        for r in mine:
            outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
            values[f"{r.get('path')}={r.get('value')}"] = r["outcome"]
        params[name] = {"documented": name in documented, "sent": len(mine), "outcomes": outcomes, "values": values}
    not_exercised: dict[str, str] = {}
    for name in documented + unlisted:
        if not params[name]["sent"]:
            not_exercised[name] = str(why_not.get(name) or "no generated case ran for it")
        elif name in NOT_POSITIVE:
            not_exercised[f"{name} (a valid value)"] = NOT_POSITIVE[name]
    sent_enums = {(r.get("path"), r.get("value")) for r in rows if r.get("kind") == POSITIVE}
    unsent = {(t.path, short(t.leaf)): t.unsent for t in targets if t.unsent}
    goal = enum_targets(targets)
    n_enum = sum(len(v) for v in goal.values())
    hit = 0
    for path, values_ in goal.items():
        for v in values_:
            if (path, short(v)) in sent_enums:
                hit += 1
            elif (path, short(v)) in unsent:
                not_exercised[f"{path}={short(v)}"] = str(unsent[(path, short(v))])
            elif path.split(".")[0].split("[")[0] not in not_exercised:
                not_exercised[f"{path}={short(v)}"] = "not sent in this run"
    return {
        "parameters": params,
        "not_exercised": not_exercised,
        "totals": {
            "parameters": len(documented),
            "exercised": sum(1 for n in documented if params[n]["sent"]),
            "enum_values": n_enum,
            "enum_values_exercised": hit,
        },
    }
