"""Contract eras: a field OpenAI added after a recording's date is contract drift, not a divergence (stub)."""

from __future__ import annotations

from .exchange import Exchange
from .findings import Finding


def reclassify(findings: list[Finding], exchange: Exchange, provider: str) -> list[Finding]:
    """Findings of one exchange, with those about fields newer than the recording marked contract-drift."""
    return findings
