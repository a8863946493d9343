"""Known, triaged divergences per provider (expectations/<provider>.yaml): compare a case's findings, regenerate files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from . import PROJECT_ROOT
from .findings import UNDOCUMENTED, Finding

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SCHEMA = PROJECT_ROOT / "schemas" / "_meta" / "expectations.schema.json"
TODO = "TODO: triage (why it diverges, and the doc that says so)"


class ExpectationsError(ValueError):
    """An expectations file that cannot be read or breaks its schema."""


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def expectations_path(provider: str) -> Path:
    return EXPECTATIONS_DIR / f"{provider}.yaml"


def load_expectations(provider: str, path: str | Path | None = None) -> list[dict[str, Any]]:
    """The entries of the provider's file, validated; none when there is no file."""
    p = Path(path) if path else expectations_path(provider)
    if not p.is_file():
        return []
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ExpectationsError(f"{p}: cannot read: {exc}") from exc
    errors = list(_validator().iter_errors(data))
    if errors:
        e = errors[0]
        where = "/" + "/".join(str(x) for x in e.absolute_path)
        raise ExpectationsError(f"{p}: at {where}: {e.message}")
    reasons = data.get("reasons") or {}
    for e in data["expectations"]:
        shared = reasons.get(e["reason"])
        if shared:  # resolve the reference, keep the id
            e.update(
                reason_id=e["reason"],
                reason=shared["text"],
                kind=shared["kind"],
                source=e.get("source") or shared.get("source"),
            )
    return data["expectations"]


def load_reasons(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("reasons") or {}


def _matches(exp: dict[str, Any], case_id: str, f: Finding | dict[str, Any]) -> bool:
    get = f.get if isinstance(f, dict) else lambda k: getattr(f, k)
    return (
        exp["case"] == case_id
        and exp["check"] == get("check")
        and ("pointer" not in exp or exp["pointer"] == (get("pointer") or ""))
    )


@dataclass
class Verdict:
    """A case's undocumented divergences sorted against the expectations (strict, like xfail(strict=True))."""

    new: list[Finding] = field(default_factory=list)  # not expected: fail
    known: list[tuple[Finding, dict[str, Any]]] = field(default_factory=list)  # expected and still failing: xfail
    gone: list[dict[str, Any]] = field(default_factory=list)  # expected but did not occur: fail (unexpected pass)

    @property
    def failed(self) -> bool:
        return bool(self.new or self.gone)


def compare(case_id: str, findings: Iterable[Finding], expectations: list[dict[str, Any]]) -> Verdict:
    """Only undocumented divergences count; documented deviations and doc contradictions are reported, never failed."""
    mine = [e for e in expectations if e["case"] == case_id]
    v = Verdict()
    hit: set[int] = set()
    for f in findings:
        if f.classification != UNDOCUMENTED:
            continue
        exp = next((e for e in mine if _matches(e, case_id, f)), None)
        if exp is None:
            v.new.append(f)
        else:
            v.known.append((f, exp))
            hit.add(id(exp))
    v.gone = [e for e in mine if id(e) not in hit and not e.get("flaky")]
    return v


def _bounded(value: Any, limit: int = 160) -> Any:
    """Small values as they are; a big one as a bounded preview (how it fails, not a copy of the traffic)."""
    from .preview import preview

    text = preview(value, limit)
    return value if len(text) < limit and not isinstance(value, (dict, list)) or len(text) < 60 else text


def _as_written(entry: dict[str, Any], reasons: dict[str, Any]) -> dict[str, Any]:
    """An entry as the file holds it: a shared reason by its id (load_expectations resolved it to its text)."""
    entry = dict(entry)
    if "reason_id" in entry:
        entry["reason"] = entry.pop("reason_id")
        entry.pop("kind", None)
        if entry.get("source") == reasons.get(entry["reason"], {}).get("source"):
            entry.pop("source")
    return entry


def update_expectations(run_record: dict[str, Any], path: str | Path | None = None) -> Path:
    """Rewrite the expectations file from a run: every undocumented divergence of a case that ran is listed,
    keeping the hand-written `reason`/`source`/`flaky` of entries that still match; cases that did not run keep theirs."""
    provider = run_record["provider"]
    p = Path(path) if path else expectations_path(provider)
    source = p if p.is_file() else expectations_path(provider)  # a new file starts from the provider's current one
    old = load_expectations(provider, source) if source.is_file() else []
    reasons = load_reasons(source)
    # Infrastructure errors are never expectations: their cases keep the entries they had.
    ran = {
        c["id"]
        for c in run_record.get("cases", [])
        if c.get("outcome") not in ("skipped", None) and c.get("verdict") != "infrastructure-error"
    }
    out = [e for e in old if e["case"] not in ran]
    for case in run_record.get("cases", []):
        if case["id"] not in ran:
            continue
        for f in case.get("findings") or []:
            if f.get("classification") != UNDOCUMENTED:
                continue
            if any(_matches(e, case["id"], f) for e in out):
                continue  # one entry per (case, check, pointer)
            prior = next((e for e in old if _matches(e, case["id"], f)), None)
            entry = (
                dict(prior)
                if prior
                else {
                    "case": case["id"],
                    "check": f["check"],
                    "pointer": f.get("pointer") or "",
                    "reason": TODO,
                    "source": f.get("source"),
                }
            )
            entry["expected"], entry["actual"] = _bounded(f.get("expected")), _bounded(f.get("actual"))
            out.append(entry)
    out = [_as_written(e, reasons) for e in out]
    out.sort(key=lambda e: (e["case"], e["check"], e.get("pointer", "")))
    header = (
        f"# Known, triaged divergences of {provider} (schemas/_meta/expectations.schema.json).\n"
        "# Regenerate from a run with `respcompat update-expectations reports/<provider>/run.json`, "
        "then annotate `reason` and `source`.\n"
    )
    doc: dict[str, Any] = {"provider": provider}
    if reasons:
        doc["reasons"] = reasons
    doc["expectations"] = out
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(header + body, encoding="utf-8")
    return p
