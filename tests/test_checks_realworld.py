"""Real OpenAI traffic (sequence_number era) must pass every semantic check: the checks describe the wire.

Reads the shared corpus (`$RESPCOMPAT_REALWORLD`); skips when it is absent.
"""

from __future__ import annotations

import pytest
from _realworld import realworld_files, require_realworld

from respcompat.checks import CheckContext, load_all, run_checks

# Not wire captures: the fixture authors cut deltas and events out of this stream (see PROVENANCE.md).
EDITED_BY_AUTHORS = {"vercel-ai__openai-phase.1.chunks.txt"}
OPENAI = [p for p in realworld_files() if p.parent.name == "openai"]


def _semantic_findings(path):
    from respcompat.importers import load_file

    result = load_file(path)
    assert result.error is None, result.error
    xs = result.exchanges
    ctx = CheckContext(provider=None, contracts=None, exchanges=xs)
    ids = [c for c in load_all() if not c.startswith("schema.")]
    findings = [f for x in xs for f in run_checks(x, ctx, only=ids)]
    assert not ctx.errors, ctx.errors
    return xs, findings


def _has_sequence_numbers(xs) -> bool:
    return all("sequence_number" in e.data for x in xs for e in (x.response.events or []) if isinstance(e.data, dict))


@pytest.mark.parametrize("path", OPENAI, ids=[p.name for p in OPENAI])
def test_real_openai_traffic_produces_no_semantic_finding(path):
    require_realworld()
    if path.name in EDITED_BY_AUTHORS:
        pytest.skip("fixture edited by its authors, not a wire capture")
    xs, findings = _semantic_findings(path)
    if not _has_sequence_numbers(xs):
        # 2025-03 recordings predate sequence_number: that, and only that, is reported.
        assert {f.check for f in findings} <= {"stream.sequence_number"}
        return
    assert [f.to_json() for f in findings] == []


def test_author_edited_fixture_is_caught_by_the_checks():
    root = require_realworld()
    path = root / "openai" / "vercel-ai__openai-phase.1.chunks.txt"
    if not path.exists():
        pytest.skip("fixture not in this corpus")
    _, findings = _semantic_findings(path)
    assert {"stream.sequence_number", "accumulate.output_text"} <= {f.check for f in findings}


def test_corpus_is_present_or_skipped_with_a_reason():
    require_realworld()
    assert OPENAI, "the corpus has no openai/ folder"
