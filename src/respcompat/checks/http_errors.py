"""http.error_body: every non-2xx answer carries an error envelope.

One problem, one finding: a JSON object body is judged by `schema.error` against the provider's contract (which
knows a provider's documented error shape); this check owns what a schema cannot see (an empty, HTML or non-object
body) and, only when no contract documents an error body, the envelope's shape too.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import finding

CHECK = "http.error_body"
SOURCE = "OpenAI wire behaviour (error envelope)"
_SHAPE = '{"error": {"message": str, "type": str, "code": str|null, "param": str|null}}'


def _is_error(exchange: Exchange) -> bool:
    resp = exchange.response
    if resp is None:
        return False
    if resp.status is not None:
        return resp.status >= 400  # 1xx (a WebSocket upgrade) and 3xx carry no error body
    # Body-only recordings: an `error` envelope with no response object is an error answer.
    body = resp.body
    return isinstance(body, dict) and "error" in body and "object" not in body and "status" not in body


def _contract_judges_errors(ctx) -> bool:
    contracts = getattr(ctx, "contracts", None)
    provider = getattr(contracts, "provider", None)
    return provider is not None and provider.has("error")


@check(CHECK, description="every non-2xx answer has an OpenAI-shaped error body")
def error_body(exchange: Exchange, ctx) -> Iterator[Finding]:
    if not _is_error(exchange):
        return
    resp = exchange.response
    if resp is None:
        return
    body = resp.body
    if not isinstance(body, dict):
        raw = (resp.raw_body or "").strip()
        what = "an empty body" if not raw else ("an HTML page" if raw.startswith("<") else "a non-JSON-object body")
        yield finding(
            CHECK,
            "",
            f"HTTP {resp.status} answered with {what}",
            expected=_SHAPE,
            actual=raw[:200] if raw else None,
            source=SOURCE,
        )
        return
    if _contract_judges_errors(ctx):
        return  # schema.error owns the envelope's shape
    err = body.get("error")
    if not isinstance(err, dict):
        yield finding(
            CHECK,
            "/error",
            "the error body has no `error` object",
            expected=_SHAPE,
            actual=err if "error" in body else sorted(map(str, body)),
            source=SOURCE,
        )
        return
    for name, nullable in (("message", False), ("type", False), ("code", True), ("param", True)):
        if name not in err:
            yield finding(
                CHECK,
                f"/error/{name}",
                f"error.{name} is missing",
                expected="string or null" if nullable else "string",
                actual="<missing>",
                source=SOURCE,
            )
        elif not (isinstance(err[name], str) or nullable and err[name] is None):
            yield finding(
                CHECK,
                f"/error/{name}",
                f"error.{name} has the wrong type",
                expected="string or null" if nullable else "string",
                actual=err[name],
                source=SOURCE,
            )
