"""The committed baseline (reports/baseline/) equals what scripts/update_baseline.py rebuilds from this tree."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("update_baseline", ROOT / "scripts" / "update_baseline.py")
update_baseline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(update_baseline)

STALE = f"the committed baseline is stale; refresh it with: {update_baseline.REFRESH_COMMAND}"


def _load(path: Path) -> dict:
    return update_baseline.normalise(json.loads(path.read_text(encoding="utf-8")))


def _what_differs(old: dict, new: dict) -> list[str]:
    """Top-level fields and case ids that differ, so the failure says where to look."""
    out = [k for k in sorted(set(old) | set(new)) if k != "cases" and old.get(k) != new.get(k)]
    a = {c["id"]: c for c in old.get("cases", [])}
    b = {c["id"]: c for c in new.get("cases", [])}
    out += [f"case {cid}" for cid in sorted(set(a) | set(b)) if a.get(cid) != b.get(cid)]
    if not out and [c["id"] for c in old.get("cases", [])] != [c["id"] for c in new.get("cases", [])]:
        out.append("case order")
    return out


def test_normalise_drops_the_run_fields_and_keeps_everything_else():
    record = {
        "version": 1,
        "provider": "p",
        "model": "m",
        "base_url": "u",
        "record_mode": "none",
        "started": "2026-01-01T00:00:00+00:00",
        "report_path": "reports/p/run.json",
        "transport": {"requests": 3},
        "cases": [{"id": "c", "started": "kept inside a case"}],
        "doc_contradictions": [],
    }
    kept = update_baseline.normalise(record)
    assert set(record) - set(kept) == {"started", "report_path", "transport"}
    assert all(kept[k] == record[k] for k in kept)
    other_night = record | {"started": "2026-01-02T00:00:00+00:00", "transport": {"requests": 0}}
    assert update_baseline.dumps(other_night) == update_baseline.dumps(record)


def test_the_baseline_covers_every_shipped_profile():
    committed = sorted(p.parent.name for p in (ROOT / "reports" / "baseline").glob("*/run.json"))
    assert committed == update_baseline.shipped_profiles(), STALE


def test_the_committed_baseline_equals_a_rebuild(tmp_path):
    # A rebuild runs every profile offline (seconds each): two at a time, the machine's cores are shared.
    try:
        paths = update_baseline.build(tmp_path, jobs=2)
    except RuntimeError as exc:
        pytest.fail(f"the offline run failed, so the baseline cannot be rebuilt: {exc}")
    stale = {}
    for provider, path in paths.items():
        committed = ROOT / "reports" / "baseline" / provider / "run.json"
        if not committed.is_file():
            stale[provider] = ["no committed baseline"]
            continue
        old, new = _load(committed), _load(path)
        if old != new:
            stale[provider] = _what_differs(old, new)
    assert not stale, STALE + "\n" + "\n".join(f"  {p}: {', '.join(d[:8])}" for p, d in stale.items())
