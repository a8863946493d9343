"""The run record survives real use: `pytest -n 2` writes the same record as a serial run, JUnit XML carries the
provider, case and verdict, and the doc-contradiction counts are those of the findings."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp: Path, *args: str) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "suites"),
        "--provider=llamacpp",
        f"--report-dir={tmp}",
        "-q",
        "-p",
        "no:cacheprovider",
        *args,
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    record = json.loads((tmp / "run.json").read_text())
    for volatile in ("started", "report_path", "transport"):
        record.pop(volatile, None)
    return record


def test_a_parallel_run_writes_the_same_record_as_a_serial_run(tmp_path):
    pytest.importorskip("xdist")
    serial = _run(tmp_path / "serial")
    parallel = _run(tmp_path / "parallel", "-n", "2")
    assert len(serial["cases"]) >= 40 and serial == parallel


def test_junit_xml_carries_provider_case_and_verdict(tmp_path):
    _run(tmp_path, f"--junitxml={tmp_path / 'junit.xml'}", "-k", "text.string_input or endpoints.compact")
    props = [
        {p.get("name"): p.get("value") for p in case.iter("property")}
        for case in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    ]
    assert {"provider": "llamacpp", "case": "endpoints.compact", "verdict": "unsupported"} in props


def test_doc_contradiction_counts_are_those_of_the_findings(tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "suites"),
        "--provider=dashscope",
        f"--report-dir={tmp_path}",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    record = json.loads((tmp_path / "run.json").read_text())
    landed: dict[str, int] = {}
    for case in record["cases"]:
        for f in case["findings"]:
            if f["contradiction"]:
                landed[f["contradiction"]] = landed.get(f["contradiction"], 0) + 1
    counts = {c["id"]: c["findings"] for c in record["doc_contradictions"]}
    assert landed and all(counts[cid] == n for cid, n in landed.items())
    assert sum(counts.values()) == sum(landed.values())
