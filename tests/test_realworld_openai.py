"""Real OpenAI and Azure traffic of every era passes every check with --provider openai.

This pins the calibration of the openai contract (schemas/openai/errata.yaml), of the semantic checks and of the
contract eras (schemas/openai/eras.yaml) against what OpenAI really sent at the time. Reads the shared corpus
(`$RESPCOMPAT_REALWORLD`); skips when it is absent.
"""

from __future__ import annotations

import pytest
from _realworld import EDITED_BY_AUTHORS, realworld_files, require_realworld

from respcompat import eras
from respcompat.engine import judge_exchanges
from respcompat.findings import CONTRACT_DRIFT, EXTENSION, UNDOCUMENTED
from respcompat.importers import load_file

FILES = [p for p in realworld_files() if p.parent.name in ("openai", "azure")]


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_openai_traffic_of_every_era_has_no_undocumented_divergence(path):
    require_realworld()
    if path.name in EDITED_BY_AUTHORS:
        pytest.skip(EDITED_BY_AUTHORS[path.name])
    result = load_file(path)
    assert result.error is None, result.error
    outcome = judge_exchanges(result.exchanges, "openai")
    assert outcome.errors == []
    # drift is explained by the era; extensions are informational (tests/test_openai_wire_fields.py pins them)
    assert [f.to_json() for f in outcome.findings if f.classification not in (CONTRACT_DRIFT, EXTENSION)] == []


def test_the_march_2025_stream_is_judged_as_drift_and_not_passed_silently():
    """The era machinery explains these findings; it does not hide them or the checks that found them."""
    root = require_realworld()
    result = load_file(root / "openai" / "llm-openai-plugin__test_async_model.yaml")
    findings = judge_exchanges(result.exchanges, "openai").findings
    drift = {(f.check, f.pointer) for f in findings if f.classification == CONTRACT_DRIFT}
    assert {
        ("schema.event", "/sequence_number"),
        ("schema.event", "/logprobs"),
        ("stream.sequence_number", "/sequence_number"),
    } <= drift
    assert all(
        f.details["era"]["recorded"] == "2025-03-21" and f.details["era"]["dated_by"] == "http-date"
        for f in findings
        if f.classification == CONTRACT_DRIFT
    )
    assert not [f for f in findings if f.classification == UNDOCUMENTED]


def test_the_edited_fixture_really_is_edited():
    """The one skipped file stays skipped only while it shows the cuts its authors made."""
    root = require_realworld()
    (name,) = EDITED_BY_AUTHORS
    result = load_file(root / "openai" / name)
    seq = [e.data["sequence_number"] for e in result.exchanges[0].response.events]
    assert seq != list(range(len(seq)))  # events were cut out (5 -> 41, 43 -> 49)
    created = result.exchanges[0].response.events[0].data["response"]
    assert "tools" not in created and "parallel_tool_calls" not in created  # the response object was trimmed
    assert eras.date_of(result.exchanges[0]).isoformat() >= "2025-09-11"  # not an era effect: it is recent
