"""timestamps.units: created_at / completed_at are integer Unix seconds, and completed_at >= created_at."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import finding, is_int, response_objects

CHECK = "timestamps.units"
SOURCE = "OpenAI wire behaviour (Unix seconds, integer)"
# 2020-01-01 .. 2100-01-01: outside it the value is not seconds (a millisecond value is ~1.7e12).
_LOW, _HIGH = 1_577_836_800, 4_102_444_800


def _judge(value: Any, at: str, event: int | None) -> Iterator[Finding]:
    if isinstance(value, float):
        yield finding(
            CHECK,
            at,
            "timestamp is a float, not integer seconds",
            expected="integer seconds",
            actual=value,
            event=event,
            source=SOURCE,
        )
    elif not is_int(value):
        return  # wrong JSON type: the schema's business
    elif value > _HIGH * 100:
        yield finding(
            CHECK,
            at,
            "timestamp looks like milliseconds, not seconds",
            expected="integer seconds",
            actual=value,
            event=event,
            source=SOURCE,
        )
    elif not _LOW <= value <= _HIGH:
        yield finding(
            CHECK,
            at,
            "timestamp outside the plausible range of Unix seconds",
            expected=f"{_LOW}..{_HIGH}",
            actual=value,
            event=event,
            source=SOURCE,
        )


@check(CHECK, description="created_at/completed_at integer seconds in a plausible range, completed_at >= created_at")
def timestamps_units(exchange: Exchange, ctx) -> Iterator[Finding]:
    for event, prefix, resp in response_objects(exchange):
        created, completed = resp.get("created_at"), resp.get("completed_at")
        yield from _judge(created, f"{prefix}/created_at", event)
        if completed is not None:
            yield from _judge(completed, f"{prefix}/completed_at", event)
            if isinstance(created, (int, float)) and isinstance(completed, (int, float)) and completed < created:
                yield finding(
                    CHECK,
                    f"{prefix}/completed_at",
                    "completed_at is before created_at",
                    expected=f">= {created}",
                    actual=completed,
                    event=event,
                    source=SOURCE,
                )
    body = exchange.response.body if exchange.response is not None else None
    if isinstance(body, dict) and body.get("object") == "list" and isinstance(body.get("data"), list):
        for i, item in enumerate(body["data"]):
            if isinstance(item, dict) and "created_at" in item and item["created_at"] is not None:
                yield from _judge(item["created_at"], f"/data/{i}/created_at", None)
