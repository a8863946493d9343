"""The run record (a stable, versioned JSON document) and the views generated from it: Markdown, HTML matrix, diff."""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

RUN_RECORD_VERSION = 1
RUN_RECORD_NAME = "run.json"


def new_run_record(provider: str, **fields: Any) -> dict[str, Any]:
    record = {"version": RUN_RECORD_VERSION, "provider": provider, "model": None, "base_url": None,
              "record_mode": "none", "started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "cases": []}
    record.update(fields)
    return record


def contradiction_id(finding: Any) -> str | None:
    """The profile contradiction a classified finding points at (semantic: an id; schema: a note dict)."""
    c = finding.details.get("contradiction")
    return c.get("id") if isinstance(c, dict) else c


def doc_contradictions(profile: Any, hits: Counter | None = None) -> list[dict[str, Any]]:
    """The provider's documents that disagree, each with how many findings of this run landed on it."""
    hits = hits or Counter()
    return [{"id": c["id"], "summary": c.get("summary"), "sides": c.get("sides", []), "findings": hits.get(c["id"], 0)}
            for c in getattr(profile, "contradictions", None) or []]


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


def load_record(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if p.is_dir():
        p = p / RUN_RECORD_NAME
    record = json.loads(p.read_text(encoding="utf-8"))
    if record.get("version") != RUN_RECORD_VERSION:
        raise ValueError(f"{p}: run record version {record.get('version')!r}, expected {RUN_RECORD_VERSION}")
    return record


def _counts(case: dict[str, Any]) -> Counter:
    return Counter(f.get("classification") for f in case.get("findings") or [])


def render_markdown(records: list[dict[str, Any]]) -> str:
    out: list[str] = []
    for r in records:
        out.append(f"# respcompat run: {r['provider']}\n")
        out.append(f"- model: `{r.get('model')}`  base URL: `{r.get('base_url')}`  record mode: `{r.get('record_mode')}`  started: {r.get('started')}\n")
        if r.get("doc_contradictions"):
            out.append("Where the provider's own documents disagree (both sides are part of its contract):\n")
            for c in r["doc_contradictions"]:
                sides = "; ".join(f"{s_.get('source')}: {s_.get('says')}" for s_ in c.get("sides", []))
                out.append(f"- `{c['id']}` ({c.get('findings', 0)} finding(s) this run): {c.get('summary')} — {sides}")
            out.append("")
        out.append("| case | outcome | undocumented | contradictions | documented | cassette |")
        out.append("|---|---|---|---|---|---|")
        for c in r.get("cases", []):
            n = _counts(c)
            out.append(f"| `{c['id']}` | {c.get('outcome')} | {n['undocumented-divergence']} | {n['doc-contradiction']} | "
                       f"{n['documented-deviation']} | {c.get('cassette') or ''} |")
        for c in r.get("cases", []):
            if not c.get("findings") and not c.get("infra_error"):
                continue
            out.append(f"\n## `{c['id']}` ({c.get('outcome')})\n")
            if c.get("infra_error"):
                out.append(f"- infrastructure error: {c['infra_error']}")
            for f in c.get("findings") or []:
                out.append(f"- **{f['classification']}** `{f['check']}` at `{f['pointer'] or '/'}`"
                           + (f" (event {f['event']})" if f.get("event") is not None else "")
                           + f": {f['message']} — expected `{json.dumps(f.get('expected'), ensure_ascii=False)[:80]}`,"
                           f" actual `{json.dumps(f.get('actual'), ensure_ascii=False)[:80]}`"
                           + (f"; source: {f['source']}" if f.get("source") else ""))
        out.append("")
    return "\n".join(out) + "\n"


def render_html(records: list[dict[str, Any]]) -> str:
    """An interop matrix: cases down, providers across, each cell an outcome with its finding counts."""
    providers = [r["provider"] for r in records]
    cases = sorted({c["id"] for r in records for c in r.get("cases", [])})
    by = {(r["provider"], c["id"]): c for r in records for c in r.get("cases", [])}
    rows = []
    for cid in cases:
        cells = []
        for p in providers:
            c = by.get((p, cid))
            if c is None:
                cells.append('<td class="none">—</td>')
                continue
            n = _counts(c)
            title = html.escape("\n".join(f"{f['classification']} {f['check']} {f['pointer']}: {f['message']}" for f in c.get("findings") or []))
            cells.append(f'<td class="{html.escape(str(c.get("outcome")))}" title="{title}">{html.escape(str(c.get("outcome")))}'
                         f'<br><small>{n["undocumented-divergence"]} U · {n["doc-contradiction"]} C · {n["documented-deviation"]} D</small></td>')
        rows.append(f"<tr><th>{html.escape(cid)}</th>{''.join(cells)}</tr>")
    head = "".join(f"<th>{html.escape(p)}</th>" for p in providers)
    return ("<!doctype html><meta charset=utf-8><title>respcompat matrix</title><style>"
            "table{border-collapse:collapse;font:13px sans-serif}td,th{border:1px solid #ccc;padding:4px 8px}"
            ".passed{background:#dfd}.failed{background:#fdd}.xfailed{background:#ffd}.skipped{background:#eee}</style>"
            "<p>U = undocumented divergence, C = doc contradiction, D = documented deviation. Hover a cell for its findings.</p>"
            f"<table><tr><th>case</th>{head}</tr>{''.join(rows)}</table>\n")


def _keys(record: dict[str, Any]) -> dict[tuple, dict[str, Any]]:
    return {(c["id"], f["check"], f.get("pointer"), f.get("classification")): f
            for c in record.get("cases", []) for f in c.get("findings") or []}


def diff_records(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Findings that appeared, disappeared, and cases whose outcome changed between two runs."""
    a, b = _keys(old), _keys(new)
    outcomes_old = {c["id"]: c.get("outcome") for c in old.get("cases", [])}
    changed = [{"case": c["id"], "old": outcomes_old.get(c["id"]), "new": c.get("outcome")}
               for c in new.get("cases", []) if outcomes_old.get(c["id"]) != c.get("outcome")]
    return {
        "new": [dict(case=k[0], **v) for k, v in b.items() if k not in a],
        "gone": [dict(case=k[0], **v) for k, v in a.items() if k not in b],
        "outcome_changed": changed,
    }


def render_diff(d: dict[str, Any]) -> str:
    out = []
    for label in ("new", "gone"):
        out.append(f"{label}: {len(d[label])}")
        out.extend(f"  {x['case']}  {x['classification']}  {x['check']}  {x.get('pointer') or '/'}: {x['message']}" for x in d[label])
    out.append(f"outcome changed: {len(d['outcome_changed'])}")
    out.extend(f"  {x['case']}: {x['old']} -> {x['new']}" for x in d["outcome_changed"])
    return "\n".join(out) + "\n"
