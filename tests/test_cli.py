"""The `respcompat check` command: its JSON interface, exit codes, and bad input that loses nothing."""

import json
import shutil
from pathlib import Path

import pytest

from respcompat.cli import check_paths, main

FIX = Path(__file__).parent / "fixtures" / "cli"


def _run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr()


def test_clean_stream_exits_zero_with_no_findings(capsys):
    code, out = _run(capsys, "check", "--provider", "openai", "--format", "json", str(FIX / "clean_text_stream.sse"))
    doc = json.loads(out.out)
    assert code == 0, doc
    assert doc["summary"]["findings"] == 0 and doc["files"][0]["format"] == "sse"


def test_planted_stream_divergences_exit_one_with_structured_findings(capsys):
    code, out = _run(capsys, "check", "--provider", "openai", "--format", "json", str(FIX / "planted_text_stream.sse"))
    doc = json.loads(out.out)
    checks = {f["check"] for f in doc["files"][0]["findings"]}
    assert code == 1
    assert {"stream.sequence_number", "accumulate.output_text"} <= checks
    f = next(f for f in doc["files"][0]["findings"] if f["check"] == "stream.sequence_number")
    assert set(f) >= {
        "check",
        "classification",
        "pointer",
        "message",
        "expected",
        "actual",
        "exchange",
        "event",
        "source",
    }
    assert f["classification"] == "undocumented-divergence" and f["event"] == 5 and f["pointer"] == "/sequence_number"


def test_json_output_has_the_documented_top_level_shape(capsys):
    _, out = _run(capsys, "check", "--format", "json", str(FIX))
    doc = json.loads(out.out)
    assert set(doc) >= {"provider", "files", "summary"}
    assert set(doc["summary"]) >= {"files", "exchanges", "findings", "by_classification"}
    assert set(doc["summary"]["by_classification"]) == {
        "documented-deviation",
        "undocumented-divergence",
        "doc-contradiction",
        "contract-drift",
        "extension",
        "model-dependent",
    }
    for f in doc["files"]:
        assert set(f) >= {"path", "format", "exchanges", "error", "findings"}


def test_unreadable_file_is_listed_with_its_error_and_the_rest_is_still_judged(capsys, tmp_path):
    shutil.copy(FIX / "broken.yaml", tmp_path / "a_broken.yaml")
    shutil.copy(FIX / "planted_text_stream.sse", tmp_path / "b_planted.sse")
    code, out = _run(capsys, "check", "--format", "json", str(tmp_path))
    files = {Path(f["path"]).name: f for f in json.loads(out.out)["files"]}
    assert files["a_broken.yaml"]["error"]
    assert files["b_planted.sse"]["findings"]
    assert code == 1


def test_text_format_shows_pointer_expected_and_actual(capsys):
    _, out = _run(capsys, "check", str(FIX / "planted_text_stream.sse"))
    assert "/sequence_number" in out.out and "expected 5" in out.out and "actual 4" in out.out


@pytest.mark.parametrize("argv", [["check", "--provider", "nosuch", "x"], ["check", "/no/such/path"]])
def test_usage_errors_exit_two(capsys, argv):
    assert _run(capsys, *argv)[0] == 2


def test_missing_arguments_exit_two(capsys):
    with pytest.raises(SystemExit) as e:
        main(["check"])
    assert e.value.code == 2


def test_json_output_validates_against_its_published_schema(capsys):
    import jsonschema

    root = Path(__file__).resolve().parents[1] / "schemas" / "_meta"
    schema = json.loads((root / "check-output.schema.json").read_text())
    _, out = _run(capsys, "check", "--format", "json", str(FIX))
    jsonschema.Draft202012Validator(schema).validate(json.loads(out.out))


def test_json_output_names_the_provider_doc_contradictions_the_findings_landed_on(capsys):
    cassette = Path(__file__).resolve().parents[1] / "cassettes" / "dashscope" / "text.string_input.yaml"
    _, out = _run(capsys, "check", "--provider", "dashscope", "--format", "json", str(cassette))
    doc = json.loads(out.out)
    by_id = {c["id"]: c for c in doc["doc_contradictions"]}
    assert by_id["response-id-format"]["findings"] >= 1
    assert len(by_id["response-id-format"]["sides"]) == 2
    assert any(f["classification"] == "doc-contradiction" for f in doc["files"][0]["findings"])


def test_a_yardstick_counts_documents_failing_another_contract_without_changing_the_verdict(capsys):
    code, out = _run(
        capsys, "check", "--format", "json", "--yardstick", "openresponses", str(FIX / "clean_text_stream.sse")
    )
    y = json.loads(out.out)["files"][0]["yardsticks"]["openresponses"]
    assert code == 0 and y["documents"] == 10
    # Open Responses requires completed_at on every response object; the fixture's created/in_progress events lack it.
    assert y["failing"] >= 1 and y["examples"][0]["pointer"] == "/response/completed_at"


def test_an_unknown_yardstick_is_a_usage_error(capsys):
    assert _run(capsys, "check", "--yardstick", "nosuch", str(FIX))[0] == 2


@pytest.mark.parametrize(
    "content,reason",
    [("[1, 2]", "a JSON array"), ("", "empty"), ('{"object": "chat.completion", "choices": []}', "Chat Completions")],
)
def test_a_file_that_is_not_a_recorded_exchange_is_unreadable_and_exits_3(tmp_path, capsys, content, reason):
    path = tmp_path / "thing.json"
    path.write_text(content)
    assert main(["check", "--format", "json", str(path)]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert reason in doc["files"][0]["error"] and doc["summary"]["unreadable_files"] == 1


def test_an_unreadable_file_beside_a_divergent_one_still_exits_1_and_both_are_listed(tmp_path, capsys):
    (tmp_path / "bad.json").write_text("[1, 2]")
    (tmp_path / "planted.sse").write_text((FIX / "planted_text_stream.sse").read_text())
    assert main(["check", "--format", "json", str(tmp_path)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert sorted(bool(f["error"]) for f in doc["files"]) == [False, True]


def test_help_names_the_exit_codes_and_the_providers(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "3 a file could not be read" in out and "dashscope" in out and "llamacpp" in out


@pytest.mark.parametrize("command", [["report"], ["diff", "{f}"], ["update-expectations"]])
def test_report_diff_and_update_refuse_a_file_that_is_not_a_run_record_in_one_line(tmp_path, capsys, command):
    f = tmp_path / "check.json"
    f.write_text(json.dumps({"version": 2, "provider": "openai", "files": [], "summary": {}}))
    args = [a.format(f=f) for a in command] + [str(f)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "not a run record (a `respcompat check` output)" in err


def test_help_says_the_request_analysis_never_changes_the_exit_code(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "advice for a migration and never changes the exit code" in out


def test_the_request_analysis_validates_against_the_published_schema(capsys):
    import jsonschema

    root = Path(__file__).resolve().parents[1]
    schema = json.loads((root / "schemas" / "_meta" / "check-output.schema.json").read_text())
    _, out = _run(capsys, "check", "--provider", "dashscope", "--format", "json", str(root / "cassettes" / "dashscope"))
    doc = json.loads(out.out)
    jsonschema.Draft202012Validator(schema).validate(doc)
    ra = doc["summary"]["request_analysis"]
    assert ra["requests"] >= 1 and ra["requests"] == sum(
        f.get("request_analysis", {}).get("requests", 0) for f in doc["files"]
    )
    assert {r["verdict"] for r in ra["parameters"]} <= {"documented", "noted", "out-of-contract", "unlisted-ignored"}


def test_a_folder_is_judged_one_file_at_a_time(tmp_path, monkeypatch):
    """A folder of big recordings never sits in memory whole: each file's traffic is let go before the next is read."""
    import weakref

    import respcompat.importers as importers

    for i in range(3):
        shutil.copy(FIX / "clean_text_stream.sse", tmp_path / f"s{i}.sse")
    alive: list[weakref.ref] = []
    load = importers.load_file

    def spy(path):
        assert all(ref() is None for ref in alive), "an earlier file's import result is still held"
        result = load(path)
        alive.append(weakref.ref(result))
        return result

    monkeypatch.setattr(importers, "load_file", spy)
    doc = check_paths([str(tmp_path)], "openai")
    assert [f["exchanges"] for f in doc["files"]] == [1, 1, 1] and len(alive) == 3


def test_report_takes_the_reports_folder_and_reads_each_providers_record(tmp_path, capsys):
    """`respcompat report reports/` after runs of two providers: both columns, no glob needed."""
    root = Path(__file__).resolve().parents[1] / "reports" / "baseline"
    for name in ("dashscope", "openai"):
        (tmp_path / "reports" / name).mkdir(parents=True)
        shutil.copy(root / name / "run.json", tmp_path / "reports" / name / "run.json")
    assert main(["report", "--format", "markdown", str(tmp_path / "reports")]) == 0
    header = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("| feature / case"))
    assert header == "| feature / case | dashscope | openai |"
    assert main(["report", str(tmp_path / "empty")]) == 2  # nothing there: one clear line, not an empty matrix
    assert "no such file" in capsys.readouterr().err
