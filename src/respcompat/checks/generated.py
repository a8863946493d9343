"""The oracle for generated requests (generate.py): a valid request gets a 2xx, an invalid one a 4xx naming the
parameter, nothing gets a 5xx, and an unlisted parameter is handled as the profile says.

What the request is, is read from the request itself against the provider's contract (`describe`), so a replayed
cassette is judged exactly as the live run was. A request the provider accepted though its contract forbids it is
`schema.request`'s finding; these checks add the other directions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import finding, request_body

VALID_REJECTED = "request.valid_rejected"
SERVER_ERROR = "request.server_error"
ERROR_NAMES = "request.error_names_parameter"
UNLISTED = "request.unlisted_handling"


def outcome(exchange: Exchange) -> str:
    """accepted | rejected | server-error | auth-error | infrastructure-error | no-answer | other (1xx/3xx)."""
    if exchange.meta.get("infra_error"):
        return "infrastructure-error"
    resp = exchange.response
    if resp is None:
        return "no-answer"
    if resp.status is None:
        return "accepted" if resp.events is not None else "no-answer"
    if 200 <= resp.status < 300:
        return "accepted"
    if resp.status in (401, 403):
        return "auth-error"  # about the key, not the parameter: errors.bad_key judges it
    if 400 <= resp.status < 500:
        return "rejected"
    return "server-error" if resp.status >= 500 else "other"


def _gen(exchange: Exchange) -> dict[str, Any] | None:
    g = exchange.meta.get("generated")
    return g if isinstance(g, dict) and exchange.endpoint == "create" and request_body(exchange) is not None else None


def _what(g: dict[str, Any]) -> str:
    return f"{g.get('path')}={g.get('value')}"


def _doc(ctx, g: dict[str, Any]) -> str:
    contract = ctx.contracts.provider if ctx.contracts is not None else None
    if contract is None:
        return "the provider's request contract"
    src = contract.overlay_source(f"objects/create_request.json#/properties/{g.get('parameter')}")
    return src or f"contract:{contract.name} (objects/create_request.json)"


def _error_text(exchange: Exchange) -> str:
    body = exchange.response.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        return " ".join(str(err.get(k) or "") for k in ("param", "message", "code"))
    if isinstance(body, (dict, list)):  # another envelope (FastAPI's `detail`, ...): whatever text it gives
        return json.dumps(body, ensure_ascii=False)[:2000]  # its shape is schema.error's finding, not this one's
    return str(body if isinstance(body, str) else exchange.response.raw_body or "")[:2000]


@check(VALID_REJECTED, description="a generated request valid per the provider's contract is accepted (2xx)")
def valid_rejected(exchange: Exchange, ctx) -> Iterator[Finding]:
    g = _gen(exchange)
    if g is None or g.get("kind") != "positive" or outcome(exchange) != "rejected":
        return
    f = finding(
        VALID_REJECTED,
        "/" + str(g.get("path", "")).replace(".", "/").replace("[]", "/0"),
        f"{_what(g)} is valid per the documented contract but was rejected (HTTP {exchange.response.status}: "
        f"{_error_text(exchange)[:160].strip()})",
        "accepted (2xx)",
        f"HTTP {exchange.response.status}",
        source=_doc(ctx, g),
        document="request",
        generated=g,
    )
    yield f


@check(SERVER_ERROR, description="no generated request, valid or not, gets a 5xx")
def server_error(exchange: Exchange, ctx) -> Iterator[Finding]:
    g = _gen(exchange)
    if g is None or outcome(exchange) != "server-error":
        return
    want = "a 4xx naming the parameter" if g.get("kind") in ("negative", "reference") else "accepted (2xx)"
    yield finding(
        SERVER_ERROR,
        "/" + str(g.get("path", "")).replace(".", "/").replace("[]", "/0"),
        f"{_what(g)} ({g.get('kind')}, {g.get('rule')}) made the server fail with HTTP {exchange.response.status}",
        want,
        f"HTTP {exchange.response.status}",
        source=_doc(ctx, g),
        document="request",
        generated=g,
    )


@check(ERROR_NAMES, description="a generated request refused for one broken rule gets an error naming the parameter")
def error_names_parameter(exchange: Exchange, ctx) -> Iterator[Finding]:
    g = _gen(exchange)
    if g is None or g.get("kind") not in ("negative", "reference") or outcome(exchange) != "rejected":
        return
    text = _error_text(exchange).lower()
    names = {str(g.get("parameter", "")).lower(), str(g.get("path", "")).split("[")[0].lower()}
    names |= {n.rsplit(".", 1)[-1] for n in names}
    if not any(n and n in text for n in names):
        yield finding(
            ERROR_NAMES,
            "/error",
            f"{_what(g)} was refused, but the error names neither `param` nor the parameter in its message",
            f"error.param or message naming {g.get('parameter')}",
            _error_text(exchange)[:200].strip() or "<empty error>",
            source="https://platform.openai.com/docs/guides/error-codes (error.param names the parameter)",
            generated=g,
        )


@check(UNLISTED, description="an OpenAI parameter the provider does not document is handled as its profile says")
def unlisted_handling(exchange: Exchange, ctx) -> Iterator[Finding]:
    g = _gen(exchange)
    if g is None or g.get("kind") != "unlisted":
        return
    rule = getattr(ctx.provider, "unlisted_parameters", None) or {}
    handling, got = rule.get("handling"), outcome(exchange)
    if handling not in ("ignored", "rejected") or got not in ("accepted", "rejected"):
        return  # uncertain or undocumented: the outcome is recorded (coverage), nothing to hold the provider to
    if (got == "accepted") != (handling == "ignored"):
        key = rule.get("source")
        url = ((getattr(ctx.provider, "docs", None) or {}).get(key) or {}).get("url") if key else None
        yield finding(
            UNLISTED,
            f"/{g.get('parameter')}",
            f"{_what(g)} is not documented, and unlisted parameters are {handling} as documented, but it was {got}",
            "accepted (2xx)" if handling == "ignored" else "rejected (4xx)",
            f"HTTP {exchange.response.status}",
            source=f"{key} ({url})" if url else str(key or "the profile's unlisted_parameters"),
            document="request",
            generated=g,
        )


EFFECT = "parameter.effect"
EFFECT_WORDING = "parameter.effect_wording"


def effect_pair(exchange: Exchange, ctx) -> tuple[Any, Exchange] | None:
    """(Effect, control exchange) when `exchange` is the varied request of a parameter-effect pair."""
    from ..effects import effect_for

    meta = exchange.meta.get("effect")
    if not isinstance(meta, dict) or meta.get("role") != "varied" or ctx.contracts is None:
        return None
    effect = effect_for(ctx.contracts.provider, meta.get("parameter"))
    control = next(
        (
            x
            for x in ctx.exchanges or []
            if isinstance(x.meta.get("effect"), dict)
            and x.meta["effect"].get("role") == "control"
            and x.meta["effect"].get("parameter") == meta.get("parameter")
        ),
        None,
    )
    return (effect, control) if effect is not None and control is not None else None


def _effect_findings(check_id: str, exchange: Exchange, ctx, wording: bool) -> Iterator[Finding]:
    from ..effects import IGNORED, judge

    pair = effect_pair(exchange, ctx)
    if pair is None or pair[0].model_dependent != wording:
        return
    effect, control = pair
    verdict, evidence = judge(effect, control, exchange)
    if verdict == IGNORED:
        yield finding(
            check_id,
            f"/{effect.parameter}",
            f"{effect.parameter} is documented but had no effect: {evidence}",
            "applied",
            "ignored",
            source=_doc(ctx, {"parameter": effect.parameter}),
            document="request",
            evidence=evidence,
        )


@check(
    EFFECT, description="a documented parameter, varied against a control request, shows its effect in the structure"
)
def parameter_effect(exchange: Exchange, ctx) -> Iterator[Finding]:
    yield from _effect_findings(EFFECT, exchange, ctx, wording=False)


@check(
    EFFECT_WORDING,
    description="... where only the model's wording can show the effect (model-dependent)",
    model_dependent=True,
)
def parameter_effect_wording(exchange: Exchange, ctx) -> Iterator[Finding]:
    yield from _effect_findings(EFFECT_WORDING, exchange, ctx, wording=True)
