"""expectations/<provider>.yaml: shared reasons by id, how each entry fails (expected/actual), and no entry ever
written for an infrastructure error."""

from __future__ import annotations

import yaml

from respcompat.expectations import load_expectations, update_expectations


def _finding(check: str, pointer: str = "/x", actual: object = 1) -> dict:
    return {
        "check": check,
        "classification": "undocumented-divergence",
        "pointer": pointer,
        "message": "m",
        "expected": "string",
        "actual": actual,
        "exchange": 0,
        "event": None,
        "source": None,
        "events": None,
    }


def test_a_shared_reason_is_referenced_by_id_and_resolved_on_load(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "provider": "p",
                "reasons": {"int-code": {"kind": "server", "text": "error.code is the HTTP status", "source": "DOC"}},
                "expectations": [{"case": "a.b", "check": "schema.error", "pointer": "/x", "reason": "int-code"}],
            }
        )
    )
    (entry,) = load_expectations("p", path)
    assert entry["reason"] == "error.code is the HTTP status" and entry["kind"] == "server" and entry["source"] == "DOC"
    record = {
        "provider": "p",
        "cases": [
            {
                "id": "a.b",
                "outcome": "xfailed",
                "verdict": "known-divergence",
                "findings": [_finding("schema.error", actual=404)],
            }
        ],
    }
    update_expectations(record, path)
    doc = yaml.safe_load(path.read_text())
    assert doc["reasons"]["int-code"]["kind"] == "server"
    assert doc["expectations"] == [
        {
            "case": "a.b",
            "check": "schema.error",
            "pointer": "/x",
            "reason": "int-code",
            "expected": "string",
            "actual": 404,
        }
    ]


def test_an_infrastructure_error_is_never_written_into_the_expectations(tmp_path):
    path = tmp_path / "p.yaml"
    record = {
        "provider": "p",
        "cases": [
            {
                "id": "a.infra",
                "outcome": "failed",
                "verdict": "infrastructure-error",
                "findings": [_finding("case.http_status")],
            },
            {"id": "a.real", "outcome": "failed", "verdict": "diverges", "findings": [_finding("body.kind")]},
        ],
    }
    update_expectations(record, path)
    cases = [e["case"] for e in yaml.safe_load(path.read_text())["expectations"]]
    assert cases == ["a.real"]
