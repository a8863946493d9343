"""Classify semantic findings against the provider profile's documented deviations and contradictions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .exchange import Exchange
from .findings import CONTRADICTION, DOCUMENTED, MODEL_DEPENDENT, UNDOCUMENTED, Finding

# Findings no profile can document: a 2xx body that is not the JSON object the endpoint returns, or an error answer
# that is not JSON at all. A provider documents a shape; "HTML instead of JSON" is never that shape.
NEVER_DOCUMENTED = frozenset({"body.json", "body.kind"})


def _status_matches(want: Any, got: int | None) -> bool:
    if got is None:
        return False
    if isinstance(want, str) and len(want) == 3 and want.endswith("xx"):
        return str(got)[0] == want[0]
    return got == want


def _matches(
    rule: dict[str, Any], finding: Finding, endpoint: str, event_type: str | None, status: int | None = None
) -> bool:
    if rule.get("check") not in (None, finding.check):
        return False
    when = rule.get("when") or {}
    if "status" in when and not _status_matches(when["status"], status):
        return False
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


def linked_source(profile: Any, source: str | None) -> str | None:
    """A bare doc key (`DS-RETRIEVE`, or `DS-RETRIEVE: note`) shown with its URL, so a reader can open the page."""
    if not source or "(http" in source:
        return source
    key = source.split(":", 1)[0].strip()
    docs = getattr(profile, "docs", None) or {}
    ref = _doc_ref(profile, key) if key in docs else None
    return ref + source[len(key) :] if ref else source


def _documentable(finding: Finding) -> bool:
    return finding.check not in NEVER_DOCUMENTED and not finding.details.get("not_json")


def classify(
    finding: Finding, profile: Any, endpoint: str = "other", event_type: str | None = None, status: int | None = None
) -> Finding:
    """Set `classification` (and `source`) of a semantic finding; schema findings arrive classified already."""
    if finding.classification is not None:
        return finding
    if profile is None or getattr(profile, "name", None) == "openai" or not _documentable(finding):
        finding.classification = UNDOCUMENTED
        return finding
    for c in getattr(profile, "contradictions", None) or []:
        for rule in c.get("checks") or []:
            if _matches(rule, finding, endpoint, event_type, status):
                sides = "; ".join(f"{s.get('source')}: {s.get('says')}" for s in c.get("sides") or [])
                finding.classification = CONTRADICTION
                finding.details["contradiction"] = c.get("id")
                finding.source = sides or finding.source
                finding.message = (
                    f"{finding.message} [the provider's documents disagree: {c.get('summary', c.get('id'))}]"
                )
                return finding
    for rule in getattr(profile, "deviations", None) or []:
        if rule.get("when") and _matches(rule, finding, endpoint, event_type, status):  # no blanket deviation
            finding.classification = DOCUMENTED
            finding.source = _doc_ref(profile, rule.get("source")) or finding.source
            if rule.get("note"):
                finding.details["note"] = rule["note"]
            return finding
    finding.classification = UNDOCUMENTED
    return finding


def model_dependent(finding: Finding, exchange: Exchange, spec_flag: bool) -> bool:
    """Does this finding rest on what the model wrote rather than on what the server did?

    A function call or a schema-valid JSON answer is the server's guarantee only when the request forces it
    (tool_choice required or a named tool; text.format json_schema with strict true); otherwise it is the model's.
    """
    if spec_flag or finding.details.get("model_dependent"):
        return True
    body = exchange.request.body if exchange.request is not None and isinstance(exchange.request.body, dict) else {}
    if finding.check == "case.function_call":
        choice = body.get("tool_choice")
        forced = choice == "required" or (
            isinstance(choice, dict) and choice.get("type") in ("function", "allowed_tools")
        )
        return not forced and finding.expected is not False
    if finding.check == "case.structured_output":
        fmt = (body.get("text") or {}).get("format") if isinstance(body.get("text"), dict) else None
        return not (isinstance(fmt, dict) and fmt.get("strict") is True)
    return False


def _event_type(events: list[Any], index: int | None) -> str | None:
    """The type of event `index` (events are numbered by position; a search only if a recording says otherwise)."""
    if index is None:
        return None
    if 0 <= index < len(events) and events[index].index == index:
        return events[index].type
    return next((e.type for e in events if e.index == index), None)


def classify_all(
    findings: Iterable[Finding], profile: Any, exchange: Exchange, model_dependent_checks: frozenset[str] = frozenset()
) -> list[Finding]:
    """Classify one exchange's findings; an undocumented finding that rests on the model's words is model-dependent."""
    resp = exchange.response
    events = resp.events if resp is not None and resp.events is not None else []
    status = resp.status if resp is not None else None
    out = []
    for f in findings:
        classify(f, profile, exchange.endpoint, _event_type(events, f.event), status)
        if f.classification == UNDOCUMENTED and model_dependent(f, exchange, f.check in model_dependent_checks):
            f.classification = MODEL_DEPENDENT
        f.source = linked_source(profile, f.source)
        out.append(f)
    return out
