"""Replaying a generated case's cassette: the transport's retries of one request are resent as one request."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from respcompat.hunt import recorded_requests

BASE = "http://127.0.0.1:9/v1"


def _cassette(tmp_path: Path, answers: list[tuple[str, int, dict | None]]) -> Path:
    interactions = []
    for body, status, headers in answers:
        interactions.append(
            {
                "request": {"method": "POST", "uri": f"{BASE}/responses", "body": json.dumps({"input": body})},
                "response": {"status": {"code": status}, "headers": headers or {}, "body": {"string": ""}},
            }
        )
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "interactions": interactions}))
    return path


def _inputs(path: Path, retries: int) -> list[str]:
    return [body["input"] for _, _, body in recorded_requests(path, BASE, retries)]


def test_retried_attempts_are_one_request_and_a_later_identical_one_is_another(tmp_path: Path) -> None:
    c = _cassette(
        tmp_path,
        [("a", 500, None), ("a", 500, None), ("a", 200, None), ("a", 200, None), ("b", 503, None), ("b", 200, None)],
    )
    assert _inputs(c, retries=2) == ["a", "a", "b"]
    assert _inputs(c, retries=0) == ["a", "a", "a", "a", "b", "b"]  # no retries: every attempt was its own request


def test_no_more_retries_than_the_transport_makes(tmp_path: Path) -> None:
    c = _cassette(tmp_path, [("a", 500, None), ("a", 500, None), ("a", 500, None), ("a", 200, None)])
    assert _inputs(c, retries=1) == ["a", "a"]  # attempts 1-2, then Hypothesis sent it again: attempts 1-2


def test_a_no_answer_stand_in_is_retried_and_a_cut_answer_is_not(tmp_path: Path) -> None:
    no_answer = {"x-respcompat-no-answer": ["ReadTimeout: timed out"]}
    cut = {"x-respcompat-infra-error": ["cut after 1 event"]}
    c = _cassette(tmp_path, [("a", 599, no_answer), ("a", 200, None), ("b", 503, cut), ("b", 200, None)])
    assert _inputs(c, retries=2) == ["a", "b", "b"]
