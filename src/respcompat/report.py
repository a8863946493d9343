"""The run record (a stable, versioned JSON document) and the views generated from it: Markdown, HTML matrix, diff."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

RUN_RECORD_VERSION = 1
RUN_RECORD_NAME = "run.json"


def new_run_record(provider: str, **fields: Any) -> dict[str, Any]:
    record = {
        "version": RUN_RECORD_VERSION,
        "provider": provider,
        "model": None,
        "base_url": None,
        "record_mode": "none",
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cases": [],
    }
    record.update(fields)
    return record


def contradiction_id(finding: Any) -> str | None:
    """The profile contradiction a classified finding points at (semantic: an id; schema: a note dict)."""
    c = finding.details.get("contradiction")
    return c.get("id") if isinstance(c, dict) else c


def doc_contradictions(profile: Any, hits: Counter | None = None) -> list[dict[str, Any]]:
    """The provider's documents that disagree, each with how many findings of this run landed on it."""
    hits = hits or Counter()
    return [
        {"id": c["id"], "summary": c.get("summary"), "sides": c.get("sides", []), "findings": hits.get(c["id"], 0)}
        for c in getattr(profile, "contradictions", None) or []
    ]


def write_run_record(record: dict[str, Any], report_dir: str | Path) -> Path:
    """Write `run.json` (+ `run.md`) into report_dir and return the JSON path."""
    from .scrub import write_text

    d = Path(report_dir)
    d.mkdir(parents=True, exist_ok=True)
    path = d / RUN_RECORD_NAME
    # Credentials must never reach a report, whatever a case echoed back: scrubbed by value, then refused if any is left.
    write_text(path, json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
    write_text(d / "run.md", render_markdown([record]))
    return path


def record_paths(paths: list[str]) -> list[Path]:
    """What `respcompat report` reads: each file as given, a folder's run.json, and a folder of provider folders
    (reports/, as `pytest --provider=...` fills it) each of their run.json, in name order."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        inner = sorted(p.glob(f"*/{RUN_RECORD_NAME}")) if p.is_dir() and not (p / RUN_RECORD_NAME).exists() else []
        out += inner or [p]
    return out


def load_record(path: str | Path) -> dict[str, Any]:
    """A run record (a file, or a folder holding run.json), checked against its schema: one clear line otherwise."""
    p = Path(path)
    if p.is_dir():
        p = p / RUN_RECORD_NAME
    try:
        record = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{p}: no such file (a run record is reports/<provider>/run.json)") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{p}: not a run record: not JSON ({type(exc).__name__})") from None
    if not isinstance(record, dict) or "files" in record or "version" not in record:
        what = "a `respcompat check` output" if isinstance(record, dict) and "files" in record else "some other JSON"
        raise ValueError(f"{p}: not a run record ({what}); a run record is what `pytest --provider=...` writes")
    if record.get("version") != RUN_RECORD_VERSION:
        raise ValueError(f"{p}: run record version {record.get('version')!r}, expected {RUN_RECORD_VERSION}")
    error = next(_record_validator().iter_errors(record), None)
    if error is not None:
        where = "/" + "/".join(map(str, error.absolute_path))
        raise ValueError(f"{p}: not a valid run record: at {where}: {error.message[:200]}")
    return record


def _record_validator() -> Any:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    from . import PROJECT_ROOT

    meta = PROJECT_ROOT / "schemas" / "_meta"
    schemas = [
        json.loads((meta / n).read_text(encoding="utf-8"))
        for n in ("run-record.schema.json", "check-output.schema.json", "parameter-effects.schema.json")
    ]
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)
    return Draft202012Validator(schemas[0], registry=registry)


def render_markdown(records: list[dict[str, Any]]) -> str:
    """The compatibility matrix for GitHub: verdict symbols per case and provider, a legend, what did not pass."""
    from .matrix import render_matrix_markdown

    return render_matrix_markdown(records)


def render_html(records: list[dict[str, Any]]) -> str:
    """The compatibility matrix as one self-contained HTML page (filters, drill-down per cell); see matrix.py."""
    from .matrix import render_matrix_html

    return render_matrix_html(records)


def _keys(record: dict[str, Any]) -> dict[tuple, dict[str, Any]]:
    return {
        (c["id"], f["check"], f.get("pointer"), f.get("classification")): f
        for c in record.get("cases", [])
        for f in c.get("findings") or []
    }


def diff_records(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Findings that appeared, disappeared, and cases whose outcome changed between two runs."""
    a, b = _keys(old), _keys(new)
    outcomes_old = {c["id"]: c.get("outcome") for c in old.get("cases", [])}
    changed = [
        {"case": c["id"], "old": outcomes_old.get(c["id"]), "new": c.get("outcome")}
        for c in new.get("cases", [])
        if outcomes_old.get(c["id"]) != c.get("outcome")
    ]
    return {
        "new": [dict(case=k[0], **v) for k, v in b.items() if k not in a],
        "gone": [dict(case=k[0], **v) for k, v in a.items() if k not in b],
        "outcome_changed": changed,
    }


def render_diff(d: dict[str, Any]) -> str:
    out = []
    for label in ("new", "gone"):
        out.append(f"{label}: {len(d[label])}")
        out.extend(
            f"  {x['case']}  {x['classification']}  {x['check']}  {x.get('pointer') or '/'}: {x['message']}"
            for x in d[label]
        )
    out.append(f"outcome changed: {len(d['outcome_changed'])}")
    out.extend(f"  {x['case']}: {x['old']} -> {x['new']}" for x in d["outcome_changed"])
    return "\n".join(out) + "\n"
