"""A case's verdict, from a closed set; only `conforms` is a pass, and it is earned: something was judged, nothing
diverged, no step was left unsent, no infrastructure error stood in the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .findings import MODEL_DEPENDENT, UNDOCUMENTED, Finding

CONFORMS = "conforms"
DIVERGES = "diverges"
KNOWN = "known-divergence"
UNSUPPORTED = "unsupported"
INCONCLUSIVE = "inconclusive"
INFRA = "infrastructure-error"
UNTESTED = "untested"
VERDICTS = (CONFORMS, DIVERGES, KNOWN, UNSUPPORTED, INCONCLUSIVE, INFRA, UNTESTED)


@dataclass
class CaseVerdict:
    verdict: str
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "reasons": self.reasons}


def decide(
    exchanges: list[Any],
    findings: list[Finding],
    *,
    new: list[Finding],
    known: list[Any],
    infra: list[str],
    not_judged: list[str],
) -> CaseVerdict:
    """The verdict of one case or flow from what was sent, what the engine found, and the expectations.

    `new`/`known`: undocumented findings not listed / listed in the expectations; `infra`: infrastructure errors
    (retries exhausted, timeouts, cut streams, a crashed check); `not_judged`: steps that could not be sent.
    """
    if infra:
        return CaseVerdict(INFRA, list(infra))
    if not exchanges:
        return CaseVerdict(UNTESTED, ["no request was sent or replayed"])
    unanswered = [x.index for x in exchanges if x.response is None]
    if new:
        return CaseVerdict(DIVERGES, [f"{f.check} at {f.pointer or '/'}: {f.message}" for f in new])
    if known:
        return CaseVerdict(KNOWN, sorted({f"{f.check} at {f.pointer or '/'}" for f, _ in known}))
    unsupported = [f for f in findings if f.check == "endpoint.unsupported" and f.classification != UNDOCUMENTED]
    if unsupported:
        return CaseVerdict(UNSUPPORTED, [f.message for f in unsupported])
    if not_judged or unanswered:
        return CaseVerdict(INCONCLUSIVE, not_judged + [f"exchange {i} has no response" for i in unanswered])
    weak = [f for f in findings if f.classification == MODEL_DEPENDENT]
    if weak:
        return CaseVerdict(
            INCONCLUSIVE,
            [
                "only model-dependent evidence against it: "
                + "; ".join(sorted({f"{f.check}: {f.message}" for f in weak}))
            ],
        )
    return CaseVerdict(CONFORMS)
