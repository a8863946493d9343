"""limits.max_output_tokens: an answer cut at the request's max_output_tokens says so (status incomplete, reason
max_output_tokens), and never spends more. Judged from the request and the counts the server reports, whatever the
case expects, so no model wording is involved."""

from __future__ import annotations

from collections.abc import Iterator

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import final_response, finding, is_int, request_body

SOURCE = "OpenAI API reference (max_output_tokens; incomplete_details.reason max_output_tokens)"


@check(
    "limits.max_output_tokens",
    description="output_tokens <= max_output_tokens, and an answer that used them all "
    "is incomplete with reason max_output_tokens",
)
def max_output_tokens(exchange: Exchange, ctx) -> Iterator[Finding]:
    req = request_body(exchange) or {}
    limit = req.get("max_output_tokens")
    if exchange.endpoint != "create" or not isinstance(limit, int) or not is_int(limit):
        return
    final = final_response(exchange)
    if final is None:
        return
    event, at, resp = final
    usage = resp.get("usage")
    used = usage.get("output_tokens") if isinstance(usage, dict) else None
    if not isinstance(used, int) or not is_int(used):
        return  # usage.arithmetic / the schema report a missing count
    if used > limit:
        yield finding(
            "limits.max_output_tokens",
            f"{at}/usage/output_tokens",
            f"{used} output tokens spent, more than max_output_tokens {limit}",
            expected=f"<= {limit}",
            actual=used,
            event=event,
            source=SOURCE,
        )
    elif used == limit and resp.get("status") == "completed":
        yield finding(
            "limits.max_output_tokens",
            f"{at}/status",
            f"all {limit} output tokens were spent, yet the "
            "response says completed (a cut answer is incomplete, reason max_output_tokens)",
            expected="incomplete",
            actual="completed",
            event=event,
            source=SOURCE,
        )
