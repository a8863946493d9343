"""Classify semantic findings against the provider profile's documented deviations and contradictions."""

from __future__ import annotations

from typing import Any, Iterable

from .findings import CONTRADICTION, DOCUMENTED, UNDOCUMENTED, Finding


def _matches(rule: dict[str, Any], finding: Finding, endpoint: str, event_type: str | None) -> bool:
    if rule.get("check") not in (None, finding.check):
        return False
    when = rule.get("when") or {}
    if "event_type" in when and when["event_type"] != event_type:
        return False
    if "pointer" in when and not (finding.pointer or "").startswith(when["pointer"]):
        return False
    if "endpoint" in when and when["endpoint"] != endpoint:
        return False
    if "message" in when and when["message"] not in finding.message:
        return False
    return True


def _doc_ref(profile: Any, key: str | None) -> str | None:
    """A doc key with its URL, so a reader can open the page."""
    if not key:
        return None
    doc = (getattr(profile, "docs", None) or {}).get(key) or {}
    url = doc.get("url") if isinstance(doc, dict) else None
    return f"{key} ({url})" if url else key


def classify(finding: Finding, profile: Any, endpoint: str = "other", event_type: str | None = None) -> Finding:
    """Set `classification` (and `source`) of a semantic finding; schema findings arrive classified already."""
    if finding.classification is not None:
        return finding
    if profile is None or getattr(profile, "name", None) == "openai":
        finding.classification = UNDOCUMENTED
        return finding
    for c in getattr(profile, "contradictions", None) or []:
        for rule in c.get("checks") or []:
            if _matches(rule, finding, endpoint, event_type):
                sides = "; ".join(f"{s.get('source')}: {s.get('says')}" for s in c.get("sides") or [])
                finding.classification = CONTRADICTION
                finding.details["contradiction"] = c.get("id")
                finding.source = sides or finding.source
                finding.message = f"{finding.message} [the provider's documents disagree: {c.get('summary', c.get('id'))}]"
                return finding
    for rule in getattr(profile, "deviations", None) or []:
        if _matches(rule, finding, endpoint, event_type):
            finding.classification = DOCUMENTED
            finding.source = _doc_ref(profile, rule.get("source")) or finding.source
            if rule.get("note"):
                finding.details["note"] = rule["note"]
            return finding
    finding.classification = UNDOCUMENTED
    return finding


def classify_all(findings: Iterable[Finding], profile: Any, endpoint: str, event_types: dict[int, str | None]) -> list[Finding]:
    return [classify(f, profile, endpoint, event_types.get(f.event) if f.event is not None else None) for f in findings]
