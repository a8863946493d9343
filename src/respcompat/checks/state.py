"""state.* checks: several exchanges of one flow judged together (retrieve, store=false, delete, chaining).

Reporting rule: each state check judges the *current* exchange against the exchanges before it in
`ctx.exchanges`, so a finding is reported once, on the exchange that shows the divergence.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._diff import first_diff
from ._wire import final_response, finding, is_response_object, payloads, request_body, say

_SETTLED = ("completed", "failed", "incomplete", "cancelled")
# Fields a retrieve may legitimately differ in from the create's body: OpenAI's retrieve adds `billing`, which
# a stream's terminal event lacks (realworld: pydantic-ai test_background_mode_streaming_continuation_vcr).
VOLATILE: frozenset[str] = frozenset({"billing"})


def _earlier(exchange: Exchange, ctx) -> list[Exchange]:
    xs = list(getattr(ctx, "exchanges", None) or [])
    for i, x in enumerate(xs):
        if x is exchange:
            return xs[:i]
    return [x for x in xs if x.index < exchange.index]


def _ok(x: Exchange) -> bool:
    status = x.response.status if x.response is not None else None
    return status is None or 200 <= status < 300


def _path_id(x: Exchange) -> str | None:
    """The response id in a retrieve/delete/input_items URL."""
    if x.request is None or not x.request.url:
        return None
    parts = [p for p in urlsplit(x.request.url).path.split("/") if p]
    return parts[parts.index("responses") + 1] if "responses" in parts[:-1] else None


def _created_in(x: Exchange, ctx) -> tuple[str | None, dict | None]:
    """`_created(x)`, worked out once per exchange and run: every later exchange asks again (linear, not quadratic)."""
    memo = getattr(ctx, "_state_created", None)
    if memo is None:
        memo = {}
        try:
            ctx._state_created = memo
        except AttributeError:  # a context that takes no attributes: no memo
            return _created(x)
    key = id(x)
    if key not in memo:
        memo[key] = (x, _created(x))  # x kept alive with its id, so the id cannot be reused within the run
    return memo[key][1]


def _created(x: Exchange) -> tuple[str | None, dict | None]:
    """(response id, final response object) of a successful create."""
    if x.endpoint != "create" or not _ok(x):
        return None, None
    final = final_response(x)
    if final is not None:
        return final[2].get("id"), final[2]
    first = next((e.data["response"] for e in payloads(x) if isinstance(e.data.get("response"), dict)), None)
    return (first.get("id"), None) if first else (None, None)


def _retrieved_body(x: Exchange) -> dict | None:
    resp = x.response
    if x.endpoint != "retrieve" or resp is None or resp.events is not None or not _ok(x):
        return None
    return resp.body if is_response_object(resp.body) else None


@check("state.retrieve_equals_create", description="GET /responses/{id} returns the body the create returned")
def retrieve_equals_create(exchange: Exchange, ctx) -> Iterator[Finding]:
    body = _retrieved_body(exchange)
    if body is None:
        return
    rid = _path_id(exchange) or body.get("id")
    for x in _earlier(exchange, ctx):
        cid, created = _created_in(x, ctx)
        if cid != rid or created is None:
            continue
        if created.get("status") not in _SETTLED:
            return  # a queued/in-progress create (background mode) legitimately evolves
        diff = first_diff(created, body, ignore=VOLATILE)
        if diff is not None:
            at, then, now = diff
            yield finding(
                "state.retrieve_equals_create",
                at,
                "the retrieved response differs from the create's",
                expected=then,
                actual=now,
                created_in=x.index,
            )
        return


@check("state.store_false_not_found", description="a response created with store=false cannot be retrieved")
def store_false_not_found(exchange: Exchange, ctx) -> Iterator[Finding]:
    if exchange.endpoint != "retrieve" or not _ok(exchange):
        return
    rid = _path_id(exchange)
    for x in _earlier(exchange, ctx):
        body = request_body(x)
        if body is not None and body.get("store") is False and _created_in(x, ctx)[0] == rid:
            yield finding(
                "state.store_false_not_found",
                "",
                "a response created with store=false was retrieved",
                expected="404 not found",
                actual=exchange.response.status,
                created_in=x.index,
                source="OpenAI API reference (store)",
            )
            return


def _not_found(x: Exchange) -> bool:
    resp = x.response
    if resp is None or resp.status is None:
        return False
    if resp.status == 404:
        return True
    err = resp.body.get("error") if isinstance(resp.body, dict) else None
    text = " ".join(say(err.get(k, ""), 200) for k in ("code", "type", "message")) if isinstance(err, dict) else ""
    return 400 <= resp.status < 500 and "not found" in text.replace("_", " ").lower()


@check("state.deleted_not_found", description="retrieving a deleted response answers 404")
def deleted_not_found(exchange: Exchange, ctx) -> Iterator[Finding]:
    if exchange.endpoint not in ("retrieve", "input_items"):
        return
    rid = _path_id(exchange)
    for x in _earlier(exchange, ctx):
        deleted = (
            x.endpoint == "delete"
            and _ok(x)
            and isinstance(x.response.body, dict)
            and x.response.body.get("deleted") is True
        )
        if deleted and _path_id(x) == rid and not _not_found(exchange):
            yield finding(
                "state.deleted_not_found",
                "",
                "a deleted response is still retrievable",
                expected=404,
                actual=exchange.response.status if exchange.response else None,
                deleted_in=x.index,
            )
            return


@check("state.previous_response_known", description="previous_response_id names an earlier response of the flow")
def previous_response_known(exchange: Exchange, ctx) -> Iterator[Finding]:
    body = request_body(exchange)
    prev = body.get("previous_response_id") if body is not None and exchange.endpoint == "create" else None
    if not isinstance(prev, str):
        return
    known = [rid for rid in (_created_in(x, ctx)[0] for x in _earlier(exchange, ctx)) if rid]
    if known and prev not in known:  # with no earlier response in the flow there is nothing to judge against
        yield finding(
            "state.previous_response_known",
            "/previous_response_id",
            "previous_response_id is not a response created earlier in this flow",
            expected=known,
            actual=prev,
            document="request",
        )
