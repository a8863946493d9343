"""The renderers never raise on what a run or a check can hold: any finding values (HTML, huge, nested, unicode),
any verdicts and reasons; and the HTML view escapes what a server sent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from respcompat.cli import render_text
from respcompat.findings import CLASSIFICATIONS
from respcompat.report import diff_records, render_diff, render_html, render_markdown
from respcompat.verdict import VERDICTS

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)
findings = st.fixed_dictionaries(
    {
        "check": st.sampled_from(["schema.response", "body.kind", "stream.text_done", "case.output_text"]),
        "classification": st.sampled_from(CLASSIFICATIONS),
        "pointer": st.text(max_size=40).map(lambda s: "/" + s),
        "message": st.text(min_size=1, max_size=200),
        "expected": json_values,
        "actual": json_values,
        "exchange": st.none() | st.integers(0, 5),
        "event": st.none() | st.integers(0, 10_000),
        "source": st.none() | st.text(max_size=80),
        "events": st.none() | st.lists(st.integers(0, 10_000), min_size=1, max_size=50).map(sorted),
    }
)
cases = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"[a-z]{2,8}\.[a-z_]{2,10}", fullmatch=True),
        "outcome": st.sampled_from(["passed", "failed", "xfailed", "skipped", "error"]),
        "verdict": st.sampled_from(VERDICTS),
        "reasons": st.lists(st.text(max_size=100), max_size=3),
        "cassette": st.none() | st.text(max_size=40),
        "infra_error": st.none() | st.text(max_size=100),
        "findings": st.lists(findings, max_size=6),
    }
)


def _record(provider: str, case_list: list[dict]) -> dict:
    return {
        "version": 1,
        "provider": provider,
        "model": "m",
        "base_url": "http://127.0.0.1/v1",
        "record_mode": "none",
        "started": "2026-12-03T00:00:00+00:00",
        "cases": case_list,
        "doc_contradictions": [],
    }


@given(st.lists(cases, max_size=6), st.lists(cases, max_size=6))
def test_reports_and_diffs_render_any_run_record(old, new):
    a, b = _record("p", old), _record("p", new)
    assert render_markdown([a, b]) is not None
    html = render_html([a, b])
    assert "<script>alert" not in html  # what a server sent is escaped, never markup
    assert render_diff(diff_records(a, b)) is not None


@given(st.lists(findings, max_size=8), st.none() | st.text(max_size=60))
def test_check_text_output_renders_any_findings(fs, error):
    doc = {
        "version": 2,
        "provider": "openai",
        "files": [
            {
                "path": "x.json",
                "format": "json",
                "exchanges": 1,
                "error": error,
                "infra_errors": [],
                "findings": fs,
                "recorded": None,
                "era": None,
            }
        ],
        "doc_contradictions": [],
        "summary": {
            "files": 1,
            "exchanges": 1,
            "findings": len(fs),
            "unreadable_files": int(bool(error)),
            "by_classification": {c: 0 for c in CLASSIFICATIONS},
            "by_check": {},
        },
    }
    assert render_text(doc).endswith("\n")


def test_the_html_view_escapes_markup_a_server_sent():
    evil = {
        "check": "body.json",
        "classification": "undocumented-divergence",
        "pointer": "/",
        "events": None,
        "message": "<script>alert(1)</script>",
        "expected": "a JSON object",
        "actual": "<script>alert(1)</script>",
        "exchange": 0,
        "event": None,
        "source": None,
    }
    case = {
        "id": "text.string_input",
        "outcome": "failed",
        "verdict": "diverges",
        "reasons": ["<script>alert(1)</script>"],
        "cassette": None,
        "infra_error": None,
        "findings": [evil],
    }
    html = render_html([_record("p", [case])])
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html  # shown, escaped
