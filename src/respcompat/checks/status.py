"""status.error_consistency: `status` agrees with `error` and `incomplete_details`."""

from __future__ import annotations

from collections.abc import Iterator

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import finding, response_objects, say

CHECK = "status.error_consistency"


@check(CHECK, description="failed <=> error set; incomplete <=> incomplete_details; completed has no error")
def status_error_consistency(exchange: Exchange, ctx) -> Iterator[Finding]:
    for event, prefix, resp in response_objects(exchange):
        status = resp.get("status")
        error, details = resp.get("error"), resp.get("incomplete_details")
        if status == "failed" and error is None:
            yield finding(
                CHECK,
                f"{prefix}/error",
                "a failed response must say why in error",
                expected="an error object",
                actual=resp.get("error", "<missing>"),
                event=event,
            )
        if status != "failed" and error is not None:
            yield finding(
                CHECK,
                f"{prefix}/error",
                f"error is set on a {say(status)} response",
                expected=None,
                actual=error,
                event=event,
                status=status,
            )
        if status == "incomplete" and details is None:
            yield finding(
                CHECK,
                f"{prefix}/incomplete_details",
                "an incomplete response must say why",
                expected="incomplete_details with a reason",
                actual=resp.get("incomplete_details", "<missing>"),
                event=event,
            )
        if status != "incomplete" and details is not None:
            yield finding(
                CHECK,
                f"{prefix}/incomplete_details",
                f"incomplete_details is set on a {say(status)} response",
                expected=None,
                actual=details,
                event=event,
                status=status,
            )
