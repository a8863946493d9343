"""Documentation cassettes (cassettes/<provider>/doc.*.yaml): each names a page of its profile and is judged offline."""

import json
from pathlib import Path

import pytest
import yaml

from respcompat import PROJECT_ROOT, importers
from respcompat.providers import load_profile, profile_names

pytest_plugins = ["pytester"]

CASSETTES = PROJECT_ROOT / "cassettes"
SUITE = PROJECT_ROOT / "suites" / "test_cases.py"
# Hosted providers: their shipped cassettes are transcribed documentation (OpenAI's from its API reference).
DOC_PROVIDERS = sorted(n for n in profile_names() if load_profile(n).kind == "hosted")
DOC_CASSETTES = sorted(p for name in DOC_PROVIDERS for p in (CASSETTES / name).glob("doc.*.yaml"))
JUDGED = {"conforms", "known-divergence"}  # a doc example is either clean or triaged in expectations/


def _block(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["respcompat"]


def test_the_doc_providers_are_the_five_hosted_ones():
    assert DOC_PROVIDERS == ["ark", "dashscope", "las", "openai", "rongcloud"]


@pytest.mark.parametrize("name", DOC_PROVIDERS)
def test_every_provider_with_docs_ships_a_doc_cassette(name):
    assert load_profile(name).docs, f"{name} lists no docs"
    assert list((CASSETTES / name).glob("doc.*.yaml")), f"no cassettes/{name}/doc.*.yaml"


@pytest.mark.parametrize("path", DOC_CASSETTES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_doc_cassette_names_a_page_of_its_profile_with_its_url(path):
    block = _block(path)
    prov = block["provenance"]
    assert block["case"] == path.stem and prov["kind"] == "documentation"
    doc = load_profile(path.parent.name).doc(prov["page"])  # raises for a key the profile does not list
    assert prov["url"] in [doc["url"], *(doc.get("also") or [])]
    assert prov.get("note"), "say what was transcribed and what (if anything) was adapted"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Documentation cassette:") and prov["page"] in first and prov["url"] in first


@pytest.mark.parametrize("path", DOC_CASSETTES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_doc_cassette_imports_as_exchanges_with_a_response(path):
    res = importers.load_file(path)
    assert res.error is None and res.exchanges
    for ex in res.exchanges:
        assert ex.response is not None and ex.response.status is not None
        is_stream = "event-stream" in (ex.response.headers.get("content-type") or "")
        assert (ex.response.events is not None) == is_stream, "a text/event-stream body is judged as events"
        # An excerpt (events left out) must not be held to whole-stream checks.
        assert bool(ex.meta.get("fragment")) == bool(_block(path)["provenance"].get("excerpt"))


@pytest.mark.parametrize("name", DOC_PROVIDERS)
def test_every_doc_cassette_is_judged_offline_not_skipped(name, pytester, tmp_path):
    wanted = sorted(p.stem for p in (CASSETTES / name).glob("doc.*.yaml"))
    pytester.runpytest(str(SUITE), "--provider", name, "--report-dir", str(tmp_path / "reports"), "-k", "doc.")
    cases = json.loads((tmp_path / "reports" / "run.json").read_text(encoding="utf-8"))["cases"]
    got = {c["id"]: c for c in cases if c["id"].startswith("doc.")}
    assert sorted(got) == wanted
    for case_id, c in got.items():
        assert c["outcome"] != "skipped" and c["verdict"] in JUDGED, (case_id, c["outcome"], c["verdict"])
        assert c["exchanges"], f"{case_id}: nothing was judged"


@pytest.mark.parametrize("path", DOC_CASSETTES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_chained_doc_request_names_an_earlier_response_of_its_cassette(path):
    """Where a transcription fills in previous_response_id from the page's printed answers, it names an earlier one."""
    exchanges = importers.load_file(path).exchanges
    for i, ex in enumerate(exchanges):
        body = ex.request.body if isinstance(ex.request.body, dict) else {}
        prev = body.get("previous_response_id")
        if i and prev:
            earlier = [x.response.body.get("id") for x in exchanges[:i] if isinstance(x.response.body, dict)]
            assert prev in earlier, (i, prev, earlier)


def _judge(provider: str, cassette_dir: Path, pytester, tmp_path) -> dict:
    reports = tmp_path / "reports"
    pytester.runpytest(
        str(SUITE),
        "--provider",
        provider,
        "--cassette-dir",
        str(cassette_dir),
        "--report-dir",
        str(reports),
        "-k",
        "doc.",
    )
    return {c["id"]: c for c in json.loads((reports / "run.json").read_text(encoding="utf-8"))["cases"]}


def _planted(tmp_path: Path, provider: str, stem: str, old: str, new: str) -> Path:
    """A copy of one shipped doc cassette with one planted change, alone in a cassette folder."""
    src = CASSETTES / provider / f"{stem}.yaml"
    text = src.read_text(encoding="utf-8")
    assert text.count(old) == 1, (stem, old)
    folder = tmp_path / "cassettes"
    (folder / provider).mkdir(parents=True)
    (folder / provider / src.name).write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_a_doc_example_that_conforms_fails_with_a_planted_fault(pytester, tmp_path):
    """doc.create_file_input conforms as printed; the same answer with an unknown status diverges."""
    assert _judge("openai", CASSETTES, pytester, tmp_path / "a")["doc.create_file_input"]["verdict"] == "conforms"
    folder = _planted(
        tmp_path,
        "openai",
        "doc.create_file_input",
        '"status": "completed",\n          "completed_at"',
        '"status": "finished",\n          "completed_at"',
    )
    got = _judge("openai", folder, pytester, tmp_path / "b")["doc.create_file_input"]
    assert got["verdict"] == "diverges" and got["outcome"] == "failed"
    assert any(f["pointer"] == "/status" for f in got["findings"]), got["findings"]


def test_a_triaged_doc_example_fixed_by_the_page_is_reported_no_longer_seen(pytester, tmp_path):
    """Expectations are strict: if OpenAI's delete example said 'response.deleted', its entry would fail the run."""
    folder = _planted(tmp_path, "openai", "doc.delete_example", '"object": "response"', '"object": "response.deleted"')
    got = _judge("openai", folder, pytester, tmp_path / "r")["doc.delete_example"]
    assert got["outcome"] == "failed" and not got["findings"], got


def test_a_known_divergence_carries_its_triage_reason_into_the_record_and_the_matrix(pytester, tmp_path):
    """Why a cell is 'known': the expectation's shared reason, by id in the finding and once in the record."""
    from respcompat.report import load_record, render_html, render_markdown

    _judge("openai", CASSETTES, pytester, tmp_path)
    record = load_record(tmp_path / "reports")  # validated against the run-record schema
    delete = next(c for c in record["cases"] if c["id"] == "doc.delete_example")
    [f] = delete["findings"]
    assert f["triage"] == {"reason_id": "ref-delete-object-response", "kind": "test-bed"}
    why = record["triage_reasons"]["ref-delete-object-response"]
    assert why["kind"] == "test-bed" and "response.deleted" in why["text"]
    assert why["source"] == "OPENAI-REF (https://platform.openai.com/docs/api-reference/responses)"
    conforming = next(c for c in record["cases"] if c["id"] == "doc.create_file_input")
    assert all("triage" not in g for g in conforming["findings"])  # nothing known there, nothing claimed
    page = render_html([record])
    drill = page[page.index('data-key="openai/doc.delete_example" hidden>') :]
    drill = drill[: drill.index("</section>")]
    assert "ref-delete-object-response" in drill and "an artifact of the test bed" in drill
    assert "a provider that copied the page would diverge from OpenAI exactly so" in drill
    assert "**known** (ref-delete-object-response, test-bed)" in render_markdown([record])
