"""The renderers never raise on what a run or a check can hold: any finding values (HTML, huge, nested, unicode),
any verdicts and reasons; and the HTML view escapes what a server sent."""

from __future__ import annotations

from hypothesis import given, settings
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


# The generated-request fields (issue 7) as the schema allows them, and as a hand-edited or older record might hold them.
effects = st.dictionaries(
    st.text(min_size=1, max_size=30),
    st.fixed_dictionaries(
        {
            "verdict": st.sampled_from(["applied", "ignored", "rejected", "inconclusive"]) | st.text(max_size=10),
            "evidence": st.text(max_size=200),
        },
        optional={
            "model_dependent": st.booleans(),
            "case": st.text(max_size=40),
            "source": st.text(max_size=80),
        },
    )
    | json_values,
    max_size=6,
)
outcome = st.sampled_from(["accepted", "rejected", "server-error", "infrastructure-error"])
coverage = st.fixed_dictionaries(
    {},
    optional={
        "parameters": st.dictionaries(
            st.text(min_size=1, max_size=30),
            st.fixed_dictionaries(
                {},
                optional={
                    "documented": st.booleans(),
                    "sent": st.integers(0, 1000),
                    "outcomes": st.dictionaries(outcome, st.integers(0, 1000)),
                    "values": st.dictionaries(st.text(max_size=30), outcome | st.text(max_size=10), max_size=5),
                },
            )
            | json_values,
            max_size=6,
        ),
        "not_exercised": st.dictionaries(st.text(max_size=30), st.text(max_size=100), max_size=4),
        "totals": st.dictionaries(
            st.sampled_from(["parameters", "exercised", "enum_values", "enum_values_exercised"]), st.integers(0, 100)
        ),
    },
)
generation = st.fixed_dictionaries(
    {},
    optional={
        "seed": st.none() | st.integers(),
        "examples": st.integers(0, 1000),
        "repeat": st.integers(1, 5),
        "flaky": st.lists(
            st.fixed_dictionaries(
                {"case": st.text(max_size=30), "verdicts": st.lists(st.sampled_from(VERDICTS), max_size=4)},
                optional={"request": st.text(max_size=60)},
            ),
            max_size=3,
        ),
    },
)


@settings(max_examples=max(settings.default.max_examples // 2, 20))  # each example renders two full pages
@given(
    st.lists(cases, max_size=3),
    st.none() | effects | json_values,
    st.none() | coverage | json_values,
    st.none() | generation | json_values,
)
def test_reports_render_any_generated_request_fields(case_list, eff, cov, gen):
    a = _record("p", case_list)
    for k, v in (("parameter_effects", eff), ("coverage", cov), ("generation", gen)):
        if v is not None:
            a[k] = v
    md = render_markdown([a, _record("q", [])])
    assert md.endswith("\n")
    html = render_html([a, _record("q", [])])
    assert "<script>alert" not in html and html.rstrip().endswith("</html>")


def test_generated_request_fields_escape_markup_a_server_sent():
    evil = "<script>alert(1)</script>"
    a = _record("p", [])
    a["parameter_effects"] = {evil: {"verdict": evil, "evidence": evil, "case": evil, "source": evil}}
    a["coverage"] = {
        "parameters": {evil: {"documented": False, "sent": 1, "outcomes": {"rejected": 1}, "values": {evil: evil}}},
        "not_exercised": {evil: evil},
    }
    a["generation"] = {"seed": 1, "flaky": [{"case": evil, "request": evil, "verdicts": ["accepted"]}]}
    html, md = render_html([a]), render_markdown([a])
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<script>alert" not in md.replace("`<script>alert(1)</script>`", "")  # inside a code span it is inert text
