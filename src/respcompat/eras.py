"""Contract eras: a field OpenAI added after a recording's date is contract drift, not a divergence.

The facts (when each field reached the wire, and which findings it explains) live in schemas/openai/eras.yaml.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from .contracts import SCHEMAS_DIR
from .exchange import Exchange
from .findings import CONTRACT_DRIFT, UNDOCUMENTED, Finding

ERAS_FILE = SCHEMAS_DIR / "openai" / "eras.yaml"
_KIND_KEYWORD = {"missing": "required", "unknown": "additionalProperties"}


@dataclass(frozen=True)
class Field:
    """One field OpenAI added to the wire: when, where it lives, and which findings its absence explains."""

    id: str
    name: str
    added: dt.date
    marker: bool
    host: dict[str, Any]
    rules: tuple[dict[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class Eras:
    launched: dt.date
    fields: tuple[Field, ...]


def _date(v: Any) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


@functools.cache
def load_eras(path: str | None = None) -> Eras:
    """schemas/openai/eras.yaml, parsed once."""
    doc = yaml.safe_load(open(path or ERAS_FILE, encoding="utf-8"))
    fields = tuple(
        Field(f["id"], f["field"], _date(f["added"]), bool(f["marker"]), f["host"], tuple(f.get("findings") or ()))
        for f in doc["fields"]
    )
    return Eras(_date(doc["launched"]), fields)


# -- dating a recording -----------------------------------------------------------------------------------------


def _parse_day(v: Any) -> dt.date | None:
    """A date from a YAML date, an ISO 8601 string or an RFC 7231 HTTP date; None for anything else."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if not isinstance(v, str) or not v.strip():
        return None
    try:
        return dt.datetime.fromisoformat(v.strip().replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(v).date()
    except (TypeError, ValueError, IndexError):
        return None  # e.g. openai-dotnet's "Sanitized"


def _documentation(exchange: Exchange) -> bool:
    prov = (exchange.meta.get("respcompat") or {}).get("provenance") or {}
    return bool(exchange.meta.get("documentation")) or (isinstance(prov, dict) and prov.get("kind") == "documentation")


def _response_objects(value: Any) -> Iterator[dict]:
    """The response objects where they live: the body itself, or an event's `response` (bounded: no deep walk)."""
    if not isinstance(value, dict):
        return
    if value.get("object") == "response":
        yield value
    inner = value.get("response")
    if isinstance(inner, dict) and inner.get("object") == "response":
        yield inner


def _documents(exchange: Exchange) -> Iterator[Any]:
    """The response body and every event payload of one exchange."""
    resp = exchange.response
    if resp is None:
        return
    if resp.body is not None:
        yield resp.body
    for e in resp.events or []:
        if isinstance(e.data, dict):
            yield e.data


def dating(exchange: Exchange) -> tuple[dt.date, str] | None:
    """(the day this exchange was recorded, what says so), or None when nothing does."""
    resp = exchange.response
    day = _parse_day(resp.headers.get("date")) if resp is not None else None
    if day:
        return day, "http-date"
    prov = (exchange.meta.get("respcompat") or {}).get("provenance") or {}
    recorded = _parse_day(prov.get("date")) if isinstance(prov, dict) and prov.get("kind") != "documentation" else None
    if recorded:
        return recorded, "provenance"
    day = _parse_day(exchange.meta.get("recorded_at"))
    if day:
        return day, "recorded-at"
    # Last, the server's own clock: `created_at` of the response. Not for documentation examples (invented
    # timestamps), and only a plausible one: not before the Responses API existed (anonymised fixtures use
    # 1700000000), not in milliseconds (a divergence of its own, judged by timestamps.units).
    if not _documentation(exchange):
        seen = [_epoch_day(r.get("created_at")) for doc in _documents(exchange) for r in _response_objects(doc)]
        days: list[dt.date] = [d for d in seen if d is not None and load_eras().launched <= d <= dt.date.today()]
        if days:
            return min(days), "created_at"
    return None


def _epoch_day(v: Any) -> dt.date | None:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return None
    try:
        return dt.datetime.fromtimestamp(v, dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None


def date_of(exchange: Exchange) -> dt.date | None:
    """The day this exchange was recorded: HTTP Date header, else cassette provenance, else recorded-at metadata,
    else the response's own created_at; None when nothing dates it."""
    d = dating(exchange)
    return d[0] if d else None


# -- reclassifying -------------------------------------------------------------------------------------------


@functools.cache
def derives_from_openai(provider: str) -> bool:
    """The provider's contract is openai or an overlay chain down to it (openai -> ark -> las, ...)."""
    try:
        from .providers import load_profile

        name: str | None = load_profile(provider).contract
    except Exception:  # an unknown provider: no era applies
        return False
    seen: set[str] = set()
    while name and name not in seen:
        if name == "openai":
            return True
        seen.add(name)
        meta = SCHEMAS_DIR / name / "contract.json"
        name = json.loads(meta.read_text()).get("base") if meta.is_file() else None
    return False


def _pointer_matches(pattern: str, pointer: str) -> bool:
    want, got = pattern.split("/")[1:], pointer.split("/")[1:]
    return len(want) == len(got) and all(w == "*" or w == g for w, g in zip(want, got))


def _resolve(doc: Any, tokens: list[str]) -> Any:
    for t in tokens:
        t = t.replace("~1", "/").replace("~0", "~")
        if isinstance(doc, dict):
            doc = doc.get(t)
        elif isinstance(doc, list) and t.isdigit() and int(t) < len(doc):
            doc = doc[int(t)]
        else:
            return None
    return doc


def _event(exchange: Exchange, index: int | None) -> Any:
    if index is None or exchange.response is None:
        return None
    return next((e.data for e in exchange.response.events or [] if e.index == index), None)


def _explains(rule: dict, name: str, f: Finding, exchange: Exchange) -> bool:
    """Whether this finding is exactly the one the rule describes (check, pointer, kind of error, host object)."""
    if f.check != rule["check"] or f.details.get("document") == "request":
        return False
    doc = _event(exchange, f.event) if f.event is not None else (exchange.response.body if exchange.response else None)
    if rule.get("event_types") and not (isinstance(doc, dict) and doc.get("type") in rule["event_types"]):
        return False
    if "message" in rule:
        return f.pointer == rule["pointer"] and f.message.split("; OpenAI added")[0] == rule["message"]
    kind = rule["kind"]
    if f.details.get("keyword") != _KIND_KEYWORD[kind]:
        return False
    if kind == "missing":
        if not _pointer_matches(rule["pointer"], f.pointer) or f.expected != name:
            return False
        parent = f.pointer.split("/")[1:-1]
    else:  # additionalProperties: the pointer is the object, `actual` lists the unexpected names
        holder_pattern = rule["pointer"].rsplit("/", 1)[0] or "/"
        if not _pointer_matches(holder_pattern, f.pointer or "/") or name not in (f.actual or []):
            return False
        parent = f.pointer.split("/")[1:]
    if rule.get("parent_type"):
        holder = _resolve(doc, parent)
        return isinstance(holder, dict) and holder.get("type") == rule["parent_type"]
    return True


def reclassify(findings: list[Finding], exchange: Exchange, provider: str) -> list[Finding]:
    """Findings of one exchange, with those about fields newer than the recording marked contract-drift."""
    if not any(f.classification == UNDOCUMENTED for f in findings) or not derives_from_openai(provider):
        return findings
    when = dating(exchange)
    if when is None:
        return findings
    day, dated_by = when
    newer = [fl for fl in load_eras().fields if fl.added > day and fl.rules]
    for f in findings:
        if f.classification != UNDOCUMENTED:
            continue
        for fl in newer:
            if any(_explains(r, fl.name, f, exchange) for r in fl.rules):
                f.classification = CONTRACT_DRIFT
                f.details["era"] = {
                    "field": fl.id,
                    "added": fl.added.isoformat(),
                    "recorded": day.isoformat(),
                    "dated_by": dated_by,
                    "era": era_of(day),
                }
                f.message = (
                    f"{f.message}; OpenAI added {fl.name} on {fl.added.isoformat()}; "
                    f"this recording is from {day.isoformat()}"
                )
                break
    return findings


# -- naming eras -------------------------------------------------------------------------------------------


def _boundaries() -> list[tuple[dt.date, list[str]]]:
    """Era starts after launch, each with the marker fields that arrived then (in file order)."""
    by_day: dict[dt.date, list[str]] = {}
    for fl in load_eras().fields:
        if fl.marker and fl.name not in by_day.setdefault(fl.added, []):
            by_day[fl.added].append(fl.name)
    return sorted(by_day.items())


def eras() -> list[str]:
    """Every era's label, oldest first, e.g. '2025-06-10 (before sequence_number, logprobs)'."""
    starts: list = [(load_eras().launched, [])] + _boundaries()
    labels = []
    for i, (start, arrived) in enumerate(starts):
        if i + 1 < len(starts):
            labels.append(f"{start.isoformat()} (before {', '.join(starts[i + 1][1][:2])})")
        else:
            labels.append(f"{start.isoformat()} (with {', '.join(arrived[:2])})")
    return labels


def era_of(day: dt.date) -> str:
    """The label of the era a recording day falls in."""
    starts = [load_eras().launched] + [d for d, _ in _boundaries()]
    i = max((k for k, s in enumerate(starts) if s <= day), default=0)
    return eras()[i]


def _hosts(fl: Field, exchanges: Iterable[Exchange]) -> Iterator[dict]:
    """Every object in the traffic that would carry this field in its era."""
    host = fl.host
    for ex in exchanges:
        if ex.meta.get("fragment"):
            continue  # an excerpt may have lost keys
        for doc in _documents(ex):
            if host["kind"] == "event":
                if (
                    ex.response is not None
                    and ex.response.events is not None
                    and doc is not ex.response.body
                    and (not host.get("event_types") or doc.get("type") in host["event_types"])
                ):
                    yield doc
            elif host["kind"] == "response":
                for r in _response_objects(doc):
                    holder = _resolve(r, list(host.get("path") or []))
                    if isinstance(holder, dict):
                        yield holder
            else:
                yield from _parts(doc, host.get("part_type"))


def _parts(value: Any, part_type: str | None) -> Iterator[dict]:
    if isinstance(value, dict):
        if value.get("type") == part_type and "text" in value:
            yield value
        for v in value.values():
            yield from _parts(v, part_type)
    elif isinstance(value, list):
        for v in value:
            yield from _parts(v, part_type)


def matching_era(exchanges: list[Exchange]) -> str | None:
    """The era whose field set fits this traffic best (for undated recordings); None when nothing tells."""
    starts = [load_eras().launched] + [d for d, _ in _boundaries()]
    observed: list[tuple[dt.date, bool]] = []  # (field's era start, present?)
    for fl in load_eras().fields:
        if not fl.marker:
            continue
        hosts = list(_hosts(fl, exchanges))
        if hosts:
            observed.append((fl.added, any(fl.name in h for h in hosts)))
    if not observed:
        return None
    # An era fits a field when the field is present exactly from its era on; several eras may fit equally
    # (a recording with only new fields fits every later era), and the label then names the span.
    scores = [sum((start >= added) == present for added, present in observed) for start in starts]
    best = [i for i, s in enumerate(scores) if s == max(scores)]
    lo, hi = best[0], best[-1]
    labels = eras()
    if lo == hi:
        return labels[lo]
    if hi == len(starts) - 1:
        return f"{starts[lo].isoformat()} or later ({labels[lo].split(' (', 1)[1]}"
    return f"{starts[lo].isoformat()} to {starts[hi + 1].isoformat()} ({labels[hi].split(' (', 1)[1]}"
