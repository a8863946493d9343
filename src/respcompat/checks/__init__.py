"""The check registry: small named functions `(exchange, ctx) -> findings`, each with a stable id.

A check module registers its functions with `@check(...)`; `load_all()` imports every module so the
registry is complete. Checks never know where an exchange came from (cassette, file, live run).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..exchange import Exchange
from ..findings import Finding

CheckFunc = Callable[[Exchange, "CheckContext"], Iterable[Finding]]


@dataclass(frozen=True)
class CheckSpec:
    id: str
    func: CheckFunc
    description: str
    # Which exchanges it looks at: "stream" (has events), "body" (JSON body), "any".
    applies_to: str = "any"
    # Needs the whole stream (lifecycle, accumulation): skipped on fragments, i.e. events cut out of a stream
    # (Exchange.meta["fragment"]), where a missing `response.created` says nothing about the provider.
    whole_stream: bool = False
    # Judges what the model wrote, not what the server did: reported apart, never the only evidence of a divergence.
    model_dependent: bool = False


REGISTRY: dict[str, CheckSpec] = {}
# Checks that read the model's wording (registered elsewhere, in modules another change owns).
MODEL_DEPENDENT_CHECKS = frozenset({"case.output_text", "case.reasoning"})


def check(
    check_id: str,
    *,
    description: str,
    applies_to: str = "any",
    whole_stream: bool = False,
    model_dependent: bool = False,
) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check function under a permanent id."""

    def register(func: CheckFunc) -> CheckFunc:
        if check_id in REGISTRY and REGISTRY[check_id].func is not func:
            raise ValueError(f"duplicate check id {check_id!r}")
        REGISTRY[check_id] = CheckSpec(check_id, func, description, applies_to, whole_stream, model_dependent)
        return func

    return register


@dataclass
class CheckContext:
    """What a check may consult besides the exchange itself."""

    provider: Any  # respcompat.providers.Profile
    contracts: Any  # respcompat.contracts.ContractSet (provider + openai)
    exchanges: list[Exchange] = field(default_factory=list)  # the whole file/run, for multi-exchange checks
    errors: list[str] = field(default_factory=list)  # infrastructure errors (a check that crashed)


def load_all() -> dict[str, CheckSpec]:
    """Import every check module in this package and return the registry."""
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
    return REGISTRY


def model_dependent_ids() -> frozenset[str]:
    return MODEL_DEPENDENT_CHECKS | {cid for cid, spec in load_all().items() if spec.model_dependent}


def _applies(spec: CheckSpec, exchange: Exchange) -> bool:
    resp = exchange.response
    if spec.whole_stream and exchange.meta.get("fragment"):
        return False
    if spec.applies_to == "any":
        return True
    if resp is None:
        return False
    if spec.applies_to == "stream":
        return resp.events is not None
    if spec.applies_to == "body":
        return resp.events is None and resp.body is not None
    return True


def run_checks(exchange: Exchange, ctx: CheckContext, only: Iterable[str] | None = None) -> list[Finding]:
    """Run every registered check (or `only` those ids) on one exchange; a crashing check is an infrastructure error."""
    registry = load_all()
    ids = list(only) if only is not None else sorted(registry)
    findings: list[Finding] = []
    for cid in ids:
        spec = registry[cid]
        if not _applies(spec, exchange):
            continue
        try:
            for f in spec.func(exchange, ctx):
                if f.exchange is None:
                    f.exchange = exchange.index
                findings.append(f)
        except Exception as exc:  # a bug in a check must not lose the rest of the run
            ctx.errors.append(f"check {cid} crashed on exchange {exchange.index}: {type(exc).__name__}: {exc}")
    return findings
