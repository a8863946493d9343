"""Run every suite case and flow against a live base URL, outside a `--provider` pytest run, and judge each one.

The cases and flows are the project's own (suites/test_cases.py, and suites/test_flows.py while it exists), called with a stand-in for
the plugin's `respcompat` fixture that sends through `Transport` and judges with `judge_exchanges`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from respcompat import PROJECT_ROOT
from respcompat.engine import judge_exchanges
from respcompat.providers import load_profile
from respcompat.transport import InfraError, Transport


@cache
def suite_module(name: str) -> ModuleType:
    """suites/<name>.py, imported by path (suites/ is not a package)."""
    path = PROJECT_ROOT / "suites" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_respcompat_suites_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class CaseResult:
    """What one case or flow sent and what the engine found; `skipped` says why it was not sent."""

    case_id: str
    exchanges: list[Any] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)
    infra_error: str | None = None
    unsent: list[str] = field(default_factory=list)
    skipped: str | None = None
    entry: dict[str, Any] = field(default_factory=dict)


class _CaseRun:
    """Stands in for the plugin's CaseRun: same attributes the suites read, a live Transport, no cassette."""

    kind = None

    def __init__(
        self,
        result: CaseResult,
        base_url: str,
        api_key: str,
        provider: str,
        model: str | None,
        transport_kw: dict[str, Any],
    ) -> None:
        self.result, self.base_url, self.api_key, self.provider = result, base_url, api_key, provider
        self.profile = load_profile(provider)
        self.settings = SimpleNamespace(profile=self.profile)
        self.model = model or self.profile.default_model
        self.entry = result.entry
        self.transport_kw = transport_kw

    def run(
        self,
        flow: Callable[[Any], None],
        meta: dict[str, Any] | None = None,
        before_judging: Callable[[list[Any]], None] | None = None,
    ) -> list[Any]:
        t = Transport.for_profile(
            self.profile, self.base_url, self.api_key, source=self.base_url, **{"backoff": 0.0, **self.transport_kw}
        )
        try:
            unsent = flow(t)
            if unsent:  # steps that needed what an earlier step did not give (respcompat.steps)
                self.result.unsent = list(unsent)
        except InfraError as exc:
            self.result.infra_error = str(exc)
        finally:
            t.close()
        for ex in t.exchanges:
            ex.meta.update({"case": self.result.case_id, **(meta or {})})
        if before_judging is not None:
            before_judging(t.exchanges)
        outcome = judge_exchanges(t.exchanges, self.provider)
        self.result.exchanges, self.result.findings = t.exchanges, outcome.findings
        if outcome.errors:
            self.result.infra_error = "; ".join(filter(None, [self.result.infra_error, *outcome.errors]))
        return outcome.findings


def flows() -> dict[str, Callable[[Any], None]]:
    """Flow id -> the test function of suites/test_flows.py that runs it (none once flows are data cases)."""
    if not (PROJECT_ROOT / "suites" / "test_flows.py").exists():
        return {}
    module = suite_module("test_flows")
    out = {}
    for name in dir(module):
        fn = getattr(module, name)
        marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "respcompat"]
        if name.startswith("test_") and marks:
            out[marks[0].args[0]] = fn
    return out


def run_suites(
    base_url: str,
    api_key: str,
    *,
    provider: str = "openai",
    model: str | None = None,
    only: Callable[[str], bool] | None = None,
    **transport_kw: Any,
) -> dict[str, CaseResult]:
    """Every case and flow (or those `only` accepts) sent to `base_url`: case id -> CaseResult."""
    cases_mod = suite_module("test_cases")
    jobs: list[tuple[str, Callable[[Any], None]]] = []
    for case in cases_mod.load_cases():
        jobs.append((case["id"], lambda run, case=case: cases_mod.test_case(case, run)))
    jobs.extend(flows().items())
    results = {}
    for case_id, job in jobs:
        if only is not None and not only(case_id):
            continue
        result = CaseResult(case_id)
        try:
            job(_CaseRun(result, base_url, api_key, provider, model, transport_kw))
        except pytest.skip.Exception as exc:
            result.skipped = str(exc.msg)
        results[case_id] = result
    return results
