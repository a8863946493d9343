"""usage.arithmetic: token counts add up, details stay within their totals, all are non-negative integers."""

from __future__ import annotations

from collections.abc import Iterator

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import finding, is_int, response_objects

CHECK = "usage.arithmetic"
# (detail object, detail field, the total it is part of)
_DETAILS = (
    ("input_tokens_details", "cached_tokens", "input_tokens"),
    ("output_tokens_details", "reasoning_tokens", "output_tokens"),
)


def judge_usage(usage: dict, at: str, event: int | None) -> Iterator[Finding]:
    """Findings for one usage object at pointer `at`."""
    counts = {}
    for name in ("input_tokens", "output_tokens", "total_tokens"):
        if name not in usage:
            continue  # a missing field is the schema's business
        v = usage[name]
        if not is_int(v) or v < 0:
            yield finding(
                CHECK,
                f"{at}/{name}",
                f"{name} must be a non-negative integer",
                expected="integer >= 0",
                actual=v,
                event=event,
            )
        else:
            counts[name] = v
    if len(counts) == 3 and counts["total_tokens"] != counts["input_tokens"] + counts["output_tokens"]:
        yield finding(
            CHECK,
            f"{at}/total_tokens",
            "total_tokens != input_tokens + output_tokens",
            expected=counts["input_tokens"] + counts["output_tokens"],
            actual=counts["total_tokens"],
            event=event,
        )
    for obj, name, total in _DETAILS:
        details = usage.get(obj)
        if not isinstance(details, dict) or name not in details:
            continue
        v = details[name]
        if not is_int(v) or v < 0:
            yield finding(
                CHECK,
                f"{at}/{obj}/{name}",
                f"{name} must be a non-negative integer",
                expected="integer >= 0",
                actual=v,
                event=event,
            )
        elif total in counts and v > counts[total]:
            yield finding(
                CHECK,
                f"{at}/{obj}/{name}",
                f"{name} exceeds {total}",
                expected=f"<= {counts[total]}",
                actual=v,
                event=event,
            )


@check(CHECK, description="total = input + output, details <= their totals, non-negative integers")
def usage_arithmetic(exchange: Exchange, ctx) -> Iterator[Finding]:
    for event, prefix, resp in response_objects(exchange):
        if isinstance(resp.get("usage"), dict):
            yield from judge_usage(resp["usage"], f"{prefix}/usage", event)
