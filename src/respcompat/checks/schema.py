"""schema.*: every request, body and event against the provider's contract and OpenAI's, findings pre-classified."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..contracts import KIND_FILES, SchemaError
from ..exchange import Exchange
from ..findings import CONTRADICTION, DOCUMENTED, UNDOCUMENTED, Finding
from . import check

_BODY_KINDS = {
    "create": "response",
    "retrieve": "response",
    "cancel": "response",
    "delete": "deleted",
    "input_items": "input_items",
}


def body_kind(exchange: Exchange) -> str | None:
    """Which contract object a JSON response body is: response|error|deleted|input_items (None: not ours)."""
    resp = exchange.response
    if resp is None or resp.events is not None or not isinstance(resp.body, dict):
        return None
    body = resp.body
    if resp.status is not None:
        if not 200 <= resp.status < 300:
            return "error"
    elif "object" not in body and "id" not in body and ("error" in body or {"code", "message"} <= body.keys()):
        return "error"  # a body-only recording: an error body has no id/object of its own
    return _BODY_KINDS.get(exchange.endpoint)


def _finding(
    check_id: str,
    e: SchemaError,
    classification: str,
    contract: str,
    source: str | None,
    event: int | None,
    extra: dict[str, Any],
) -> Finding:
    details = {"keyword": e.keyword, "schema_path": e.schema_path, **extra}
    if e.erratum:
        details["erratum"] = e.erratum
    return Finding(
        check=check_id,
        pointer=e.pointer,
        message=e.message,
        expected=e.expected,
        actual=e.actual,
        event=event,
        source=source,
        classification=classification,
        contract=contract,
        details=details,
    )


def _deviation_source(provider, e: SchemaError, kind_file: str | None = None) -> str:
    """The overlay doc behind a place where the provider's contract departs from OpenAI's."""
    src = None
    if e.keyword == "x-dispatch" and isinstance(e.actual, str):
        for kind in ("items", "content", "events"):  # a provider-only item/part/event type
            doc = provider.files.get(f"{kind}/{e.actual}.json")
            if doc is not None and doc.get("x-source"):
                src = doc["x-source"]
                break
    return (
        src
        or provider.overlay_source(e.schema_path)
        or _source_along(provider, kind_file, e.pointer)
        or f"contract:{provider.name}"
    )


def _source_along(provider, kind_file: str | None, pointer: str) -> str | None:
    """The overlay stamp on the provider schema node that the instance pointer walks to (properties / items)."""
    if not kind_file:
        return None
    path = ""
    best = None
    for tok in pointer.split("/")[1:]:
        path += "/items" if tok.isdigit() else f"/properties/{tok}"
        best = provider.overlay_source(f"{kind_file}#{path}") or best
    return best


def judge(check_id: str, kind: str, doc: Any, ctx, event: int | None = None, **extra: Any) -> Iterator[Finding]:
    """Validate `doc` against both contracts and classify every difference (architecture.md, Classification)."""
    provider, openai = ctx.contracts.provider, ctx.contracts.openai
    pres = provider.validate(kind, doc)
    for e in pres.errors:
        yield _finding(check_id, e, UNDOCUMENTED, provider.name, e.source, event, extra)
    for n in pres.notes:
        c = n.contradiction or {}
        msg = (
            f"doc contradiction {c.get('id')}: value agrees with {', '.join(map(str, c.get('matched', [])))}"
            f" but not with {', '.join(map(str, c.get('unmatched', [])))}"
        )
        f = _finding(check_id, n, CONTRADICTION, provider.name, c.get("id"), event, {**extra, "contradiction": c})
        f.message = msg
        yield f
    if provider is openai or provider.name == openai.name:
        return
    broken = {e.pointer for e in pres.errors}
    for e in openai.validate(kind, doc).errors:
        if e.pointer in broken:
            continue  # already reported against the provider's own contract
        kind_file = KIND_FILES.get(kind) or (f"events/{doc.get('type')}.json" if isinstance(doc, dict) else None)
        yield _finding(
            check_id,
            e,
            DOCUMENTED,
            openai.name,
            _deviation_source(provider, e, kind_file),
            event,
            {**extra, "openai_source": e.source},
        )


def _events(exchange: Exchange):
    for ev in exchange.response.events or []:
        if not ev.done and ev.parse_error is None and ev.data is not None:
            yield ev


def _accepted(exchange: Exchange) -> bool:
    """The provider answered with success: a stream, a 2xx, or a body-only recording that is not an error."""
    resp = exchange.response
    if resp is None:
        return False
    if resp.status is not None:
        return 200 <= resp.status < 300
    return resp.events is not None or body_kind(exchange) not in (None, "error")


@check("schema.request", description="the provider accepted only requests its contract allows (both contracts)")
def schema_request(exchange: Exchange, ctx) -> Iterator[Finding]:
    # Rejecting an invalid request is correct behaviour; accepting one is the divergence (e.g. a temperature
    # outside the documented range that is silently taken).
    req = exchange.request
    if req is not None and isinstance(req.body, dict) and exchange.endpoint == "create" and _accepted(exchange):
        for f in judge("schema.request", "request", req.body, ctx, document="request"):
            f.message = f"accepted a request outside the contract: {f.message}"
            yield f


@check(
    "schema.event", description="every stream event satisfies its event schema (both contracts)", applies_to="stream"
)
def schema_event(exchange: Exchange, ctx) -> Iterator[Finding]:
    for ev in _events(exchange):
        yield from judge("schema.event", "event", ev.data, ctx, event=ev.index)


def _body_check(kind: str):
    check_id = f"schema.{kind}"

    def run(exchange: Exchange, ctx) -> Iterator[Finding]:
        # A contract that documents no such body (Open Responses: no error body) leaves it to other checks.
        if body_kind(exchange) == kind and ctx.contracts.provider.has(kind):
            yield from judge(check_id, kind, exchange.response.body, ctx)

    run.__name__ = f"schema_{kind}"
    return check(check_id, description=f"a {kind} body satisfies its schema (both contracts)", applies_to="body")(run)


schema_response = _body_check("response")
schema_error = _body_check("error")
schema_deleted = _body_check("deleted")
schema_input_items = _body_check("input_items")
