"""Real OpenAI and Azure traffic of the sequence_number era (2025-09 on) passes every check with --provider openai.

This pins the calibration of the openai contract (schemas/openai/errata.yaml) and of the semantic checks against
what OpenAI really sends. Reads the shared corpus (`$RESPCOMPAT_REALWORLD`); skips when it is absent.
"""

from __future__ import annotations

import datetime as dt

import pytest

from _realworld import realworld_files, require_realworld
from respcompat.engine import judge_exchanges
from respcompat.importers import load_file

ERA = dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc).timestamp()
# Not wire captures: the fixture authors trimmed objects and cut events out of this stream (see PROVENANCE.md).
EDITED_BY_AUTHORS = {"vercel-ai__openai-phase.1.chunks.txt"}
FILES = [p for p in realworld_files() if p.parent.name in ("openai", "azure")]


def _created_at(value, out: list[float]) -> list[float]:
    """Every response `created_at` in a document (bodies and events)."""
    if isinstance(value, dict):
        if value.get("object") == "response" and isinstance(value.get("created_at"), (int, float)):
            out.append(value["created_at"])
        for v in value.values():
            _created_at(v, out)
    elif isinstance(value, list):
        for v in value:
            _created_at(v, out)
    return out


def _recorded_at(exchanges) -> float | None:
    stamps: list[float] = []
    for x in exchanges:
        if x.response is not None:
            _created_at(x.response.body, stamps)
            for e in x.response.events or []:
                _created_at(e.data, stamps)
    return min(stamps) if stamps else None


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_sequence_number_era_openai_traffic_has_no_undocumented_divergence(path):
    require_realworld()
    if path.name in EDITED_BY_AUTHORS:
        pytest.skip("fixture edited by its authors, not a wire capture")
    result = load_file(path)
    assert result.error is None, result.error
    when = _recorded_at(result.exchanges)
    if when is not None and when < ERA:
        pytest.skip(f"recorded {dt.datetime.fromtimestamp(when, dt.timezone.utc):%Y-%m-%d}, before the sequence_number era")
    outcome = judge_exchanges(result.exchanges, "openai")
    assert outcome.errors == []
    assert [f.to_json() for f in outcome.findings] == []
