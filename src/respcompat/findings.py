"""Findings: the structured result of every check, and their classification."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

DOCUMENTED = "documented-deviation"
UNDOCUMENTED = "undocumented-divergence"
CONTRADICTION = "doc-contradiction"
# Shown, never a divergence: a field OpenAI added after the recording's date; a field OpenAI does not define; a
# finding that rests on what the model wrote (never the only evidence for an undocumented divergence).
CONTRACT_DRIFT = "contract-drift"
EXTENSION = "extension"
MODEL_DEPENDENT = "model-dependent"
CLASSIFICATIONS = (DOCUMENTED, UNDOCUMENTED, CONTRADICTION, CONTRACT_DRIFT, EXTENSION, MODEL_DEPENDENT)
INFORMATIONAL = (CONTRACT_DRIFT, EXTENSION, MODEL_DEPENDENT)


@dataclass
class Finding:
    check: str  # stable check id, e.g. "stream.sequence_number"
    pointer: str  # JSON pointer into the document the check looked at ("" = whole document)
    message: str
    expected: Any = None
    actual: Any = None
    exchange: int | None = None  # index of the exchange in its file
    event: int | None = None  # index of the event in the stream, for stream findings
    source: str | None = None  # the doc the expectation comes from (provider doc key/URL, OpenAI spec, erratum)
    classification: str | None = None
    # Classification inputs the checks may fill; the classifier reads them.
    contract: str | None = None  # which contract was broken: "openai" or the provider name
    details: dict[str, Any] = field(default_factory=dict)
    events: list[int] | None = None  # every event the same finding occurred on (merged by the engine)

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape (see README: `respcompat check --format json`)."""
        d = asdict(self)
        return {
            "check": d["check"],
            "classification": d["classification"],
            "pointer": d["pointer"],
            "message": d["message"],
            "expected": d["expected"],
            "actual": d["actual"],
            "exchange": d["exchange"],
            "event": d["event"],
            "source": d["source"],
            "events": d["events"],
            "contradiction": _contradiction_id(self.details.get("contradiction")),
            **({"shrunk_example": self.details["shrunk_example"]} if self.details.get("shrunk_example") else {}),
            **({"generated": self.details["generated"]} if isinstance(self.details.get("generated"), dict) else {}),
        }


def _contradiction_id(value: Any) -> str | None:
    """The profile contradiction a finding landed on (semantic checks keep its id, schema checks a note dict)."""
    return value.get("id") if isinstance(value, dict) else value if isinstance(value, str) else None
