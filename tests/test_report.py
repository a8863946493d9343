import json

import pytest

from respcompat.report import diff_records, load_record, new_run_record, render_html, render_markdown, write_run_record

F = {"check": "stream.sequence_number", "classification": "undocumented-divergence", "pointer": "/sequence_number",
     "message": "sequence_number went from 3 to 3", "expected": 4, "actual": 3, "exchange": 0, "event": 4, "source": "OpenAI wire"}


def _record(provider="acme", findings=(F,), outcome="failed"):
    r = new_run_record(provider, model="m1")
    r["cases"].append({"id": "stream.text", "outcome": outcome, "cassette": "cassettes/acme/stream.text.yaml",
                       "findings": list(findings), "infra_error": None})
    return r


def test_run_record_roundtrips_and_never_holds_a_key(tmp_path):
    r = _record()
    r["base_url"] = "https://h/v1?api_key=sk-abcdefghijklmnopqrstuvwxyz0123456789"
    path = write_run_record(r, tmp_path)
    assert "sk-abcdefghijklmnop" not in path.read_text() and "sk-abcdefghijklmnop" not in (tmp_path / "run.md").read_text()
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
    assert page.count("<th>stream.text</th>") == 1 and 'class="failed"' in page and 'class="passed"' in page


def test_diff_reports_new_and_gone_findings_and_outcome_changes():
    new_f = dict(F, check="usage.arithmetic", pointer="/usage/total_tokens")
    d = diff_records(_record(), _record(findings=(new_f,), outcome="failed"))
    assert [x["check"] for x in d["new"]] == ["usage.arithmetic"]
    assert [x["check"] for x in d["gone"]] == ["stream.sequence_number"]
    assert diff_records(_record(), _record(findings=(), outcome="passed"))["outcome_changed"] == [
        {"case": "stream.text", "old": "failed", "new": "passed"}]
