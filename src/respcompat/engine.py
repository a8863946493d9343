"""The one engine: exchanges in, classified findings out. Every entry point (CLI, pytest plugin) goes through it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import eras
from .checks import CheckContext, model_dependent_ids, run_checks
from .classify import classify_all
from .exchange import Exchange
from .findings import Finding
from .nogc import paused
from .preview import preview


@dataclass
class Judge:
    """A provider's profile and contracts, loaded once and reused for every exchange."""

    provider: str
    profile: Any
    contracts: Any

    @classmethod
    def for_provider(cls, name: str) -> Judge:
        from .contracts import ContractSet
        from .providers import load_profile

        profile = load_profile(name)
        return cls(name, profile, ContractSet.for_provider(profile.contract))


_JUDGES: dict[str, Judge] = {}


def judge_for(provider: str) -> Judge:
    if provider not in _JUDGES:
        _JUDGES[provider] = Judge.for_provider(provider)
    return _JUDGES[provider]


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # infrastructure errors, not findings


@paused()
def judge_exchanges(exchanges: list[Exchange], provider: str, only: Iterable[str] | None = None) -> Outcome:
    """Run every check on every exchange of one file or flow and classify the findings."""
    judge = judge_for(provider)
    ctx = CheckContext(provider=judge.profile, contracts=judge.contracts, exchanges=exchanges)
    out = Outcome(errors=ctx.errors)
    model_dependent = model_dependent_ids()
    for ex in exchanges:
        if ex.meta.get("infra_error"):  # not the provider's answer: the caller counts and shows it; never judged
            continue
        raw = run_checks(ex, ctx, only)
        classified = classify_all(raw, judge.profile, ex, model_dependent)
        out.findings.extend(merge_events(supersede(eras.reclassify(classified, ex, provider))))
    return out


# One problem, one finding: an endpoint that is not there explains its status and its error body.
# Each entry: a check id (all its findings on the exchange), or (check id, pointer).
SUPERSEDES: dict[str, frozenset] = {
    "endpoint.unsupported": frozenset(
        {"case.http_status", "http.error_body", "schema.error", "body.json", "body.kind"}
    ),
    "limits.max_output_tokens": frozenset({"case.max_output_tokens", "case.incomplete", "case.status"}),
    "body.kind": frozenset(
        {("schema.response", "/object"), ("schema.deleted", "/object"), ("schema.input_items", "/object")}
    ),
}


def supersede(findings: list[Finding]) -> list[Finding]:
    """Drop the findings of one exchange that a more basic finding on it already explains."""
    gone = frozenset().union(*(SUPERSEDES.get(f.check, frozenset()) for f in findings))
    if not gone:
        return findings
    return [f for f in findings if f.check not in gone and (f.check, f.pointer) not in gone]


def merge_events(findings: list[Finding]) -> list[Finding]:
    """One finding per problem: the same finding on many events of a stream becomes one, with `events` listed."""
    merged: dict[tuple, Finding] = {}
    out: list[Finding] = []
    for f in findings:
        if f.event is None:
            out.append(f)
            continue
        key = (f.exchange, f.check, f.classification, f.pointer, f.message, preview(f.expected, 120))
        first = merged.get(key)
        if first is None:
            merged[key] = f
            f.events = [f.event]
            out.append(f)
        else:
            first.events.append(f.event)  # type: ignore[union-attr]
    return out


def check_exchanges(exchanges: list[Exchange], provider: str, errors: list[str] | None = None) -> list[Finding]:
    """Classified findings for these exchanges; infrastructure errors go to `errors` when given."""
    outcome = judge_exchanges(exchanges, provider)
    if errors is not None:
        errors.extend(outcome.errors)
    return outcome.findings
