"""case.parameter_acceptance: a parameter at its documented edge, or an unlisted one, is accepted or rejected as documented.

The documented range lives in the provider's request contract (schemas/<provider>/objects/create_request.json), the
handling of unlisted OpenAI parameters in the profile (`unlisted_parameters`): one place each. A request outside the
contract that the provider accepted is already `schema.request`'s finding; this check adds the other direction (a
request the contract allows, rejected) and the unlisted-parameter rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import request_body, say

CHECK = "case.parameter_acceptance"


def _accepted(exchange: Exchange) -> bool | None:
    resp = exchange.response
    if resp is None or resp.status is None:
        return None if resp is None or resp.events is None else True
    return 200 <= resp.status < 300


def _doc(profile, key: str | None) -> str | None:
    url = ((getattr(profile, "docs", None) or {}).get(key) or {}).get("url") if key else None
    return f"{key} ({url})" if url else key


def _finding(exchange: Exchange, name: str, message: str, expected: str, actual: str, source: str | None) -> Finding:
    return Finding(
        check=CHECK,
        pointer=f"/{name}",
        message=message,
        expected=expected,
        actual=actual,
        source=source,
        details={"document": "request", "case": exchange.meta.get("case")},
    )


@check(CHECK, description="documented parameter edges and unlisted parameters are accepted or rejected as documented")
def parameter_acceptance(exchange: Exchange, ctx) -> Iterator[Finding]:
    want = (
        (exchange.meta.get("expect") or {}).get("documented") if isinstance(exchange.meta.get("expect"), dict) else None
    )
    body = request_body(exchange)
    accepted = _accepted(exchange)
    if not isinstance(want, str) or not want.startswith("parameters.") or body is None or accepted is None:
        return
    name = want.split(".", 1)[1]
    status = exchange.response.status
    actual = f"HTTP {status}" if status is not None else "a stream"
    if name == "unknown":
        rule = getattr(ctx.provider, "unlisted_parameters", None) or {}
        handling = rule.get("handling")
        if handling not in ("ignored", "rejected"):
            return  # undocumented or uncertain: nothing to hold the provider to
        sent = sorted(k for k in body if k not in ("model", "input"))
        if accepted != (handling == "ignored"):
            yield _finding(
                exchange,
                sent[0] if sent else "",
                f"an unlisted parameter should be {handling} as documented, got {actual}",
                "accepted (2xx)" if handling == "ignored" else "rejected (4xx)",
                actual,
                _doc(ctx.provider, rule.get("source")),
            )
        return
    if name not in body or ctx.contracts is None:
        return
    errors = [e for e in ctx.contracts.provider.validate("request", body).errors if e.pointer == f"/{name}"]
    if not errors and not accepted:
        value = body[name]
        yield _finding(
            exchange,
            name,
            f"{name}={say(value)} is inside the documented range but was rejected ({actual})",
            "accepted (2xx)",
            actual,
            ctx.contracts.provider.overlay_source(f"objects/create_request.json#/properties/{name}")
            or f"contract:{ctx.contracts.provider.name}",
        )
