import json

import pytest

from respcompat.report import diff_records, load_record, new_run_record, render_html, render_markdown, write_run_record

F = {
    "check": "stream.sequence_number",
    "classification": "undocumented-divergence",
    "pointer": "/sequence_number",
    "message": "sequence_number went from 3 to 3",
    "expected": 4,
    "actual": 3,
    "exchange": 0,
    "event": 4,
    "source": "OpenAI wire",
}


def _record(provider="acme", findings=(F,), outcome="failed"):
    r = new_run_record(provider, model="m1")
    r["cases"].append(
        {
            "id": "stream.text",
            "outcome": outcome,
            "cassette": "cassettes/acme/stream.text.yaml",
            "findings": list(findings),
            "infra_error": None,
        }
    )
    return r


def test_run_record_roundtrips_and_never_holds_a_key(tmp_path):
    r = _record()
    r["base_url"] = "https://h/v1?api_key=sk-abcdefghijklmnopqrstuvwxyz0123456789"
    path = write_run_record(r, tmp_path)
    assert (
        "sk-abcdefghijklmnop" not in path.read_text() and "sk-abcdefghijklmnop" not in (tmp_path / "run.md").read_text()
    )
    assert load_record(tmp_path)["cases"][0]["id"] == "stream.text"


def test_a_record_of_another_version_is_refused(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"version": 99}))
    with pytest.raises(ValueError, match="version 99"):
        load_record(tmp_path)


def test_markdown_shows_each_finding_with_pointer_and_source():
    md = render_markdown([_record()])
    assert "`stream.sequence_number` at `/sequence_number`" in md and "source: OpenAI wire" in md


def test_html_matrix_has_a_cell_per_provider_and_case():
    page = render_html([_record("acme"), _record("other", findings=(), outcome="passed")])
    assert page.count("<code>stream.text</code></th>") == 1
    assert 'data-key="acme/stream.text"' in page and 'data-key="other/stream.text"' in page
    assert 'class="cell v-diverges"' in page and 'class="cell v-conforms"' in page  # verdict from outcome, old records


def test_diff_reports_new_and_gone_findings_and_outcome_changes():
    new_f = dict(F, check="usage.arithmetic", pointer="/usage/total_tokens")
    d = diff_records(_record(), _record(findings=(new_f,), outcome="failed"))
    assert [x["check"] for x in d["new"]] == ["usage.arithmetic"]
    assert [x["check"] for x in d["gone"]] == ["stream.sequence_number"]
    assert diff_records(_record(), _record(findings=(), outcome="passed"))["outcome_changed"] == [
        {"case": "stream.text", "old": "failed", "new": "passed"}
    ]


# --- the compatibility matrix (matrix.py) on a small synthetic pair of records ---------------------------------------

import re  # noqa: E402

from respcompat.matrix import VERDICTS, source_kind, verdict_of  # noqa: E402

EVIL = dict(
    F,
    message="<script>alert(1)</script> | pipe",
    actual="<img src=x onerror=alert(2)>",
    source="DS-REF https://help.example.com/responses?a=1&b=2 and javascript:alert(3)",
)


def _pair():
    a = new_run_record(
        "acme",
        model="acme-large",
        base_url="https://api.acme.example/v1",
        started="2026-11-30T10:00:00+00:00",
        transport={
            "requests": 7,
            "retries": 1,
            "waited_s": 0.5,
            "tokens": 99,
            "status": {"200": 6, "429": 1},
            "errors": {},
            "infra_errors": 0,
        },
    )
    a["cases"] += [
        {
            "id": "stream.text",
            "outcome": "failed",
            "verdict": "diverges",
            "reasons": ["stream.sequence_number at /sequence_number"],
            "cassette": "cassettes/acme/stream.text.yaml",
            "findings": [EVIL],
            "infra_error": None,
        },
        {
            "id": "text.string_input",
            "outcome": "passed",
            "verdict": "conforms",
            "reasons": [],
            "cassette": None,
            "findings": [],
        },
        {
            "id": "probe.instructions",
            "outcome": "passed",
            "verdict": "conforms",
            "reasons": [],
            "findings": [],
            "probe": {"parameter": "instructions", "verdict": "ignored"},
        },
        {
            "id": "doc.example",
            "outcome": "xfailed",
            "verdict": "known-divergence",
            "reasons": ["documented in expectations"],
            "findings": [dict(F, classification="documented-deviation")],
        },
    ]
    b = new_run_record("other", model="gemma", base_url="http://127.0.0.1:8080/v1")
    b["cases"] += [
        {
            "id": "stream.text",
            "outcome": "error",
            "verdict": "infrastructure-error",
            "reasons": ["read timeout after 3 retries"],
            "findings": [],
            "infra_error": "ReadTimeout",
        },
        {"id": "text.string_input", "outcome": "passed", "verdict": "conforms", "findings": []},
    ]
    return a, b


def _cell(page, key):
    m = re.search(r'<td class="cell ([^"]+)"[^>]*data-key="' + re.escape(key) + r'"[^>]*>(.*?)</td>', page)
    assert m, key
    return m.group(1), m.group(2)


def test_each_cell_shows_its_verdict_by_colour_class_symbol_and_word():
    page = render_html(list(_pair()))
    assert _cell(page, "acme/stream.text")[0] == "v-diverges" and "✗" in _cell(page, "acme/stream.text")[1]
    assert (
        _cell(page, "other/stream.text")[0] == "v-infrastructure-error"
        and "infra error" in _cell(page, "other/stream.text")[1]
    )
    assert "1U" in _cell(page, "acme/stream.text")[1]  # finding counts by classification
    assert "ignored" in _cell(page, "acme/probe.instructions")[1]  # the probe's verdict in its cell
    assert re.search(r'data-p="other" data-v="">not run</td>', page)  # a case one provider did not run


def test_the_legend_lists_all_seven_verdicts_and_the_filters_are_in_the_page():
    page = render_html(list(_pair()))
    legend = page[page.index('<ul class="legend">') : page.index("</ul>", page.index('<ul class="legend">'))]
    assert all(f"<b>{v}</b>" in legend for v in VERDICTS) and len(VERDICTS) == 7
    assert 'class="fp" value="acme"' in page and 'class="fp" value="other"' in page
    assert all(f'class="fv" value="{v}"' in page for v in VERDICTS)
    assert '<option value="streaming">' in page and '<option value="documentation">' in page
    assert "<script>" in page and "addEventListener" in page  # the filters and drill-down are plain JS in the page
    assert not re.search(
        r'(src|href)="(https?:)?//', page.replace('href="https://help.example.com', "")
    )  # no CDN, no asset


def test_cases_are_grouped_under_their_primary_feature_with_a_summary_row():
    page = render_html(list(_pair()))
    groups = re.findall(r'<tr class="feature" data-group="([^"]+)">', page)
    assert groups.index("text") < groups.index("parameter-probes") < groups.index("documentation")  # features.txt order
    text_row = re.search(r'<tr class="feature" data-group="text">(.*?)</tr>', page).group(1)
    assert "1/2 conform" in text_row and "1/2 conform" in text_row.split('data-p="other"')[1]
    assert 'data-group="documentation" data-features="documentation"><th><code>doc.example</code>' in page


def test_column_headers_carry_model_date_host_and_where_the_cassettes_come_from():
    page = render_html(list(_pair()))
    head = page[page.index("<thead>") : page.index("</thead>")]
    assert "acme-large" in head and "2026-11-30" in head and "api.acme.example" in head
    assert "local server" in head and "7 req · 1 retries" in head
    assert source_kind({"base_url": "https://x/v1", "record_mode": "all", "cases": []}) == "live"
    assert source_kind({"kind": "documentation", "cases": []}) == "transcribed from documentation"


def test_a_drill_down_holds_check_pointer_expected_actual_reasons_source_link_and_cassette():
    page = render_html(list(_pair()))
    d = re.search(r'<section class="drill" data-key="acme/stream.text" hidden>(.*?)</section>', page).group(1)
    assert "stream.sequence_number" in d and "/sequence_number" in d and "<pre>4</pre>" in d
    assert "cassettes/acme/stream.text.yaml" in d and "stream.sequence_number at /sequence_number</li>" in d
    assert '<a href="https://help.example.com/responses?a=1&amp;b=2" rel="noopener">' in d
    assert 'href="javascript' not in page  # only http(s) becomes a link
    inf = re.search(r'data-key="other/stream.text" hidden>(.*?)</section>', page).group(1)
    assert "read timeout after 3 retries" in inf and "ReadTimeout" in inf
    assert "?open=" not in page and "open=([^&]+)" in page  # a drill-down can be opened from the URL


def test_server_text_is_escaped_everywhere_in_the_page():
    page = render_html(list(_pair()))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(2)&gt;" in page


def test_markdown_is_a_compact_matrix_with_legend_and_the_non_passing_cases():
    md = render_markdown(list(_pair()))
    assert "| feature / case | acme | other |" in md and "| `stream.text` | ✗ | ⚠ |" in md
    assert "| **text** | 1/2 | 1/2 |" in md and "| `doc.example` | ⚑ |  |" in md
    assert "Legend: ✓ conforms · ✗ diverges" in md
    assert "- ✗ `stream.text` **diverges**: stream.sequence_number at /sequence_number" in md
    assert "- ⚠ `stream.text` **infrastructure-error**: read timeout after 3 retries" in md
    assert "`text.string_input` **" not in md  # a pass is not listed
    assert (
        "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt; \\| pipe" in md
    )  # no raw markup, no broken row


def test_a_record_without_verdicts_falls_back_on_the_pytest_outcome():
    assert [verdict_of({"outcome": o}) for o in ("passed", "failed", "xfailed", "skipped", "error")] == [
        "conforms",
        "diverges",
        "known-divergence",
        "untested",
        "infrastructure-error",
    ]
    assert verdict_of({"outcome": "failed", "verdict": "inconclusive"}) == "inconclusive"


def test_features_and_provenance_the_record_carries_win_over_the_suite_files():
    a, b = _pair()
    a["cases"][1].update(features=["errors"], provenance={"kind": "documentation"})
    page = render_html([a])
    assert re.search(r'data-group="errors" data-features="errors"><th><code>text.string_input</code>', page)
    assert "transcribed from documentation" in page[page.index("<thead>") : page.index("</thead>")]
