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


def test_a_header_says_when_the_judged_traffic_was_recorded_apart_from_the_run_date():
    """A replay run today judges traffic recorded earlier: the header says both; a transcription has no recording."""
    from respcompat.matrix import recorded_on

    def case(day, verdict="conforms"):
        return {"id": f"c{day}", "verdict": verdict, "provenance": {"kind": "local-server", "date": day}}

    rec = {"provider": "p", "started": "2026-12-05T01:00:00+00:00", "cases": [case("2026-11-22"), case("2026-12-03")]}
    assert recorded_on(rec) == "recorded 2026-11-22 to 2026-12-03"
    rec["cases"].append(case("2026-10-01", "untested"))  # a cassette that did not run says nothing about this run
    assert recorded_on(rec) == "recorded 2026-11-22 to 2026-12-03"
    head = render_html([rec])
    head = head[head.index("<thead>") : head.index("</thead>")]
    assert "run 2026-12-05" in head and "recorded 2026-11-22 to 2026-12-03" in head
    assert (
        recorded_on({"cases": [{"id": "doc.x", "verdict": "conforms", "provenance": {"kind": "documentation"}}]}) == ""
    )
    assert "recorded 2026-11-22 to 2026-12-03" in render_markdown([rec])


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


# --- generated requests (issue 7): parameter effects, coverage, generation --------------------------------------------

EFFECTS = {
    "max_output_tokens": {
        "verdict": "applied",
        "evidence": "max_output_tokens=16: output_tokens 64 -> 16, status incomplete",
        "model_dependent": False,
        "case": "gen.effect.max_output_tokens",
        "source": "DS-REF-latest (https://help.example.com/ref?x=1&y=2)",
    },
    "temperature": {
        "verdict": "ignored",
        "evidence": "temperature=0 vs 2: the same text 5 times of 5",
        "model_dependent": True,
        "case": "gen.effect.temperature",
    },
    "top_logprobs": {"verdict": "rejected", "evidence": "top_logprobs=2: 400 <b>invalid_parameter</b>"},
}
COVERAGE = {
    "parameters": {
        "temperature": {
            "documented": True,
            "sent": 7,
            "outcomes": {"accepted": 5, "rejected": 2, "server-error": 0, "infrastructure-error": 0},
            "values": {"0.5": "accepted", "2.5": "rejected"},
        },
        "service_tier": {
            "documented": False,
            "sent": 2,
            "outcomes": {"accepted": 1, "server-error": 1},
            "values": {'"auto"': "accepted", '"flex"': "server-error"},
        },
        "truncation": {"documented": True, "sent": 0, "outcomes": {}, "values": {}},
    },
    "not_exercised": {
        "truncation": "no request reaches the context window",
        'reasoning.effort="minimal"': "the model has no reasoning",
    },
    "totals": {"parameters": 31, "exercised": 29, "enum_values": 60, "enum_values_exercised": 58},
}
GENERATION = {
    "seed": 12345,
    "examples": 40,
    "repeat": 2,
    "flaky": [
        {"case": "gen.positive.temperature", "request": "temperature=0.5", "verdicts": ["accepted", "server-error"]}
    ],
}


def _generated_pair():
    """The synthetic pair, acme with all three generated-request fields, other with one effect and a small coverage."""
    a, b = _pair()
    a.update(generation=GENERATION, parameter_effects=EFFECTS, coverage=COVERAGE)
    b["parameter_effects"] = {
        "max_output_tokens": {"verdict": "inconclusive", "evidence": "output_tokens 12 -> 12: the model stopped early"}
    }
    b["coverage"] = {
        "parameters": {"temperature": {"documented": True, "sent": 3, "outcomes": {"accepted": 3}, "values": {}}},
        "not_exercised": {"top_logprobs": "the server has no logprobs"},
        "totals": {"parameters": 20, "exercised": 20, "enum_values": 10, "enum_values_exercised": 9},
    }
    return a, b


def _row(page, table_id, param):
    table = page[page.index(f'<table id="{table_id}"') :]
    table = table[: table.index("</table>")]
    m = re.search(r"<tr><th><code>" + re.escape(param) + r"</code></th>(.*?)</tr>", table)
    assert m, (table_id, param)
    return re.findall(r'<td class="([^"]*)"[^>]*>(.*?)</td>', m.group(1))


def _section(page, key):
    m = re.search(r'<section class="drill" data-key="' + re.escape(key) + r'" hidden>(.*?)</section>', page)
    assert m, key
    return m.group(1)


def test_generated_fields_round_trip_through_the_run_record_schema(tmp_path):
    a, _ = _generated_pair()
    write_run_record(a, tmp_path)
    back = load_record(tmp_path)
    assert back["parameter_effects"] == EFFECTS and back["coverage"] == COVERAGE and back["generation"] == GENERATION


@pytest.mark.parametrize(
    "field, value, where",
    [
        ("parameter_effects", {"temperature": {"verdict": "maybe", "evidence": "x"}}, "/parameter_effects/temperature"),
        ("parameter_effects", {"temperature": {"verdict": "applied"}}, "/parameter_effects/temperature"),
        ("coverage", {"parameters": {"t": {"outcomes": {"teapot": 1}}}}, "/coverage/parameters/t/outcomes"),
        ("coverage", {"parameters": {"t": {"values": {"1": "fine"}}}}, "/coverage/parameters/t/values/1"),
        ("coverage", {"totals": {"parameters": -1}}, "/coverage/totals/parameters"),
        ("generation", {"repeat": 0}, "/generation/repeat"),
        ("generation", {"flaky": [{"case": "c", "verdicts": ["passed"]}]}, "/generation/flaky/0/verdicts/0"),
    ],
)
def test_the_run_record_schema_refuses_a_malformed_generated_field(tmp_path, field, value, where):
    r = _record()
    r[field] = value
    (tmp_path / "run.json").write_text(json.dumps(r))
    with pytest.raises(ValueError, match=f"at {re.escape(where)}"):
        load_record(tmp_path)


def test_the_effects_table_has_a_coloured_cell_per_parameter_and_provider():
    page = render_html(list(_generated_pair()))
    head = page[page.index('<table id="effects"') : page.index("</thead>", page.index('<table id="effects"'))]
    assert 'data-p="acme"' in head and 'data-p="other"' in head
    (ca, ta), (co, to) = _row(page, "effects", "max_output_tokens")
    assert "e-applied" in ca and "✓</span> applied" in ta and "e-inconclusive" in co and "?</span> inconclusive" in to
    (ca, ta), (co, to) = _row(page, "effects", "temperature")
    assert "e-ignored" in ca and "model-dependent" in ta and co == "cell none" and "not measured" in to
    assert "model-dependent" not in _row(page, "effects", "max_output_tokens")[0][1]  # marked only where it holds
    assert "e-rejected" in _row(page, "effects", "top_logprobs")[0][0]
    assert 'data-key="effect:acme/max_output_tokens" tabindex="0"' in page  # clickable like a matrix cell


def test_an_effect_cells_drill_down_holds_the_evidence_case_and_documented_source():
    page = render_html(list(_generated_pair()))
    d = _section(page, "effect:acme/max_output_tokens")
    assert "max_output_tokens=16: output_tokens 64 -&gt; 16, status incomplete" in d
    assert "gen.effect.max_output_tokens" in d and '<a href="https://help.example.com/ref?x=1&amp;y=2"' in d
    assert "rests on what the model wrote" in _section(page, "effect:acme/temperature")
    assert "&lt;b&gt;invalid_parameter&lt;/b&gt;" in _section(page, "effect:acme/top_logprobs")  # server text escaped


def test_the_coverage_section_shows_totals_reasons_flaky_and_outcomes_per_parameter():
    page = render_html(list(_generated_pair()))
    totals = page[page.index('id="coverage-totals"') : page.index("</table>", page.index('id="coverage-totals"'))]
    acme = re.search(r'<tr data-p="acme">(.*?)</tr>', totals).group(1)
    assert "29/31 (94%)" in acme and "58/60 (97%)" in acme and "<td>2</td>" in acme
    assert "seed 12345 · 40 examples · repeat 2 · 1 flaky" in acme
    assert "20/20 (100%)" in totals and "9/10 (90%)" in totals
    assert "<li><code>truncation</code>: no request reaches the context window</li>" in page
    assert "<code>gen.positive.temperature</code> <code>temperature=0.5</code>: accepted → server-error" in page
    (ca, ta), (co, to) = _row(page, "coverage", "temperature")
    assert "7 sent" in ta and "5 acc · 2 rej" in ta and "3 sent" in to and "3 acc" in to
    (ca, ta), (co, to) = _row(page, "coverage", "service_tier")
    assert "cov-bad" in ca and "1 5xx" in ta and "undocumented" in ta and co == "cell none"
    assert "cov-none" in _row(page, "coverage", "truncation")[0][0]
    vals = _section(page, "coverage:acme/temperature")
    assert '<code>2.5</code></td><td class="o-rejected">rejected' in vals and "documented</dt><dd>yes" in vals


def test_markdown_has_the_effects_and_coverage_as_compact_tables():
    md = render_markdown(list(_generated_pair()))
    assert "## Parameter effects" in md and "| parameter | acme | other |" in md
    assert "| `max_output_tokens` | ✓ applied | ? inconclusive |" in md
    assert "| `temperature` | ○ ignored (M) |  |" in md
    assert "- **acme** `max_output_tokens` ✓ applied: max_output_tokens=16: output_tokens 64 -&gt; 16" in md
    assert "(case `gen.effect.max_output_tokens`); documented at DS-REF-latest" in md
    assert "400 &lt;b&gt;invalid_parameter&lt;/b&gt;" in md  # no raw markup from a server
    assert "| acme | 29/31 (94%) | 58/60 (97%) | 2 | seed 12345 · 40 examples · repeat 2 · 1 flaky |" in md
    assert (
        "| `temperature` | 7: 5 acc · 2 rej | 3: 3 acc |" in md
        and "| `service_tier` | 2: 1 acc · 1 5xx undoc. |  |" in md
    )
    assert "- `truncation`: no request reaches the context window" in md
    assert "- `top_logprobs`: the server has no logprobs" in md
    assert "`temperature` = `2.5` rejected" in md and '`service_tier` = `"flex"` server-error' in md


def test_run_md_carries_one_providers_effects_coverage_seed_repeat_and_flaky_list(tmp_path):
    a, _ = _generated_pair()
    write_run_record(a, tmp_path)
    md = (tmp_path / "run.md").read_text()
    assert "| parameter | acme |" in md and "| `top_logprobs` | ✗ rejected |" in md
    assert "seed 12345 · 40 examples · repeat 2 · 1 flaky" in md
    flaky = md[md.index("## acme: ") :]
    assert "Flaky: 1 generated request(s)" in flaky
    assert "- `gen.positive.temperature` `temperature=0.5`: accepted → server-error" in flaky


def test_records_without_the_generated_fields_render_no_effects_or_coverage():
    for pair in (_pair(), [dict(r, parameter_effects={}, coverage={}, generation={}) for r in _pair()]):
        page, md = render_html(list(pair)), render_markdown(list(pair))
        assert "Parameter effects" not in page and "Coverage" not in page and 'id="effects"' not in page
        assert "Parameter effects" not in md and "## Coverage" not in md and "Flaky" not in md
    a, b = _generated_pair()
    page = render_html([b, _pair()[0]])  # a provider without the fields gets no column
    head = page[page.index('<table id="effects"') : page.index("</thead>", page.index('<table id="effects"'))]
    assert 'data-p="other"' in head and 'data-p="acme"' not in head
