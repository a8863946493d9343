"""body.*: a 2xx answer of an endpoint that returns JSON carries a JSON object of the documented kind; an endpoint
that answers like an unimplemented route is `endpoint.unsupported`.

These run before any schema check can: a `null`, a list, an HTML page or half a JSON document would otherwise give no
finding at all, because the schema checks only look at bodies that parse into the object they validate.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..exchange import Exchange
from ..findings import DOCUMENTED, Finding
from ..preview import preview
from . import check
from ._wire import finding, request_body

SOURCE = "OpenAI API reference (the endpoint's response body)"
# The contract file whose `object` enum names the body each endpoint returns.
KIND_OF = {
    "create": "objects/response.json",
    "retrieve": "objects/response.json",
    "cancel": "objects/response.json",
    "delete": "objects/deleted.json",
    "input_items": "objects/input_items.json",
    "input_tokens": None,
    "compact": None,
}
# Bodies the contracts have no schema file for yet: their `object`, from OpenAI's spec (paths /responses/input_tokens
# -> TokenCountsResource, /responses/compact -> CompactResource).
SPEC_OBJECTS = {"input_tokens": ["response.input_tokens"], "compact": ["response.compaction"]}
# Statuses an unimplemented route answers with.
ROUTE_MISSING = (404, 405, 501)


def _ok(exchange: Exchange) -> bool:
    status = exchange.response.status if exchange.response is not None else None
    return status is not None and 200 <= status < 300


def _what(raw: str | None) -> str:
    text = (raw or "").lstrip()
    if not text:
        return "an empty body"
    if text[:1] == "<":
        return "an HTML page" if "<html" in text[:500].lower() or "<!doctype" in text[:500].lower() else "markup"
    if text[:1] in "{[":
        return "JSON cut short or malformed"
    return "text that is not JSON"


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        list: "a JSON array",
        str: "a JSON string",
        bool: "a JSON boolean",
        int: "a JSON number",
        float: "a JSON number",
    }.get(type(value), type(value).__name__)


@check("body.json", description="a 2xx answer of a JSON endpoint has a body that parses as JSON")
def body_json(exchange: Exchange, ctx) -> Iterator[Finding]:
    resp = exchange.response
    if resp is None or not _ok(exchange) or resp.events is not None or exchange.endpoint not in KIND_OF:
        return
    if resp.body is None and (resp.raw_body or "").strip() != "null":
        raw = resp.raw_body or ""
        yield finding(
            "body.json",
            "",
            f"HTTP {resp.status} from {exchange.endpoint} is {_what(raw)}, not JSON",
            expected="a JSON object",
            actual=raw[:200] if raw else "<empty>",
            source=SOURCE,
            not_json=True,
            parse_error=resp.body_error,
        )


@check("body.kind", description="a 2xx JSON body is an object of the kind the endpoint returns (response, list, ...)")
def body_kind(exchange: Exchange, ctx) -> Iterator[Finding]:
    resp = exchange.response
    if resp is None or not _ok(exchange) or resp.events is not None or exchange.endpoint not in KIND_OF:
        return
    rel = KIND_OF[exchange.endpoint]
    body = resp.body
    if body is None and (resp.raw_body or "").strip() != "null":
        return  # not JSON at all: body.json
    if not isinstance(body, dict):
        yield finding(
            "body.kind",
            "",
            f"HTTP {resp.status} from {exchange.endpoint} carries {_json_kind(body)}, not a JSON object",
            expected="a JSON object",
            actual=body if not isinstance(body, list) else f"[{len(body)} elements]",
            source=SOURCE,
        )
        return
    allowed = _objects(ctx, rel) if rel else SPEC_OBJECTS[exchange.endpoint]
    got = body.get("object")
    if "object" in body and allowed and got not in allowed:
        what = "a Chat Completions answer" if isinstance(got, str) and got.startswith("chat.completion") else None
        yield finding(
            "body.kind",
            "/object",
            f"the body is {what or repr(got)}, not {' or '.join(map(repr, allowed))}",
            expected=allowed,
            actual=got,
            source=SOURCE,
        )


def _objects(ctx, rel: str) -> list[str]:
    """The `object` values the provider's and OpenAI's contracts allow for this body."""
    out: list[str] = []
    for contract in (getattr(ctx.contracts, "provider", None), getattr(ctx.contracts, "openai", None)):
        schema = getattr(contract, "files", {}).get(rel) or {}
        node = (schema.get("properties") or {}).get("object") or {}
        for value in node.get("enum") or ([node["const"]] if "const" in node else []):
            if value not in out:
                out.append(value)
    return out


@check("body.stream_mode", description="stream=true is answered with events, stream=false/absent with a JSON body")
def stream_mode(exchange: Exchange, ctx) -> Iterator[Finding]:
    req, resp = request_body(exchange), exchange.response
    if req is None or resp is None or exchange.endpoint != "create" or not _ok(exchange):
        return
    wanted = req.get("stream") is True
    if wanted and resp.events is None:
        yield finding(
            "body.stream_mode",
            "",
            "stream=true was answered with a single body, not an event stream",
            expected="text/event-stream",
            actual=resp.headers.get("content-type") or "<no content-type>",
            source="OpenAI API reference (stream)",
        )
    elif not wanted and resp.events is not None:
        yield finding(
            "body.stream_mode",
            "",
            "a request without stream=true was answered with an event stream",
            expected="a JSON body",
            actual="text/event-stream",
            source="OpenAI API reference (stream)",
        )


def _path_id(exchange: Exchange) -> str | None:
    parts = [p for p in urlsplit(exchange.request.url).path.split("/") if p] if exchange.request is not None else []
    return parts[parts.index("responses") + 1] if "responses" in parts[:-1] else None


# What web frameworks answer for a path no handler serves (Go, FastAPI/Starlette, Express, llama.cpp's file server).
GENERIC_404 = frozenset({"not found", "404 page not found", "404 not found", "file not found", "page not found"})


def _said(body: Any) -> str | None:
    """The message a JSON body carries: an error envelope's, FastAPI's `detail`, or a top-level `message`."""
    if not isinstance(body, dict):
        return None
    err = body.get("error")
    parts = [err.get(k) for k in ("message", "code", "type")] if isinstance(err, dict) else [err]
    parts += [body.get("detail"), body.get("message")]
    text = " ".join(str(x) for x in parts if isinstance(x, (str, int)) and not isinstance(x, bool))
    return text.strip().lower() or None


def _body_ids(exchange: Exchange) -> list[str]:
    """Ids of stored objects a create request refers to (previous_response_id, conversation, prompt)."""
    body = exchange.request.body if exchange.request is not None and isinstance(exchange.request.body, dict) else {}
    refs = [body.get("previous_response_id"), body.get("conversation"), body.get("prompt")]
    refs = [r.get("id") if isinstance(r, dict) else r for r in refs]
    return [r for r in refs if isinstance(r, str) and len(r) >= 4]


def _route_missing(exchange: Exchange) -> bool:
    resp = exchange.response
    if exchange.endpoint == "websocket" and resp is not None and resp.status is not None:
        return resp.status != 101  # any other answer to the upgrade (a 404, or a plain GET's 200) means no socket
    if resp is None or resp.status not in ROUTE_MISSING:
        return False
    if resp.status in (405, 501):
        return True
    text = _said(resp.body)
    if text is None or text.rstrip(".") in GENERIC_404:
        return True  # no JSON message, or a framework's catch-all: no handler behind the path
    if any(w in text for w in ("invalid url", "unknown url", "no route", "unknown route")):
        return True  # OpenAI's own wording for a path it does not serve
    # With no id in the path, a 404 is about the route, the model, or an object the body names by id.
    if exchange.endpoint in ("create", "input_tokens", "compact"):
        return "model" not in text and not any(r.lower() in text for r in _body_ids(exchange))
    # A handler that looked the id up names it, or says "response".
    rid = _path_id(exchange)
    return "response" not in text and not (rid and rid.lower() in text)


@check(
    "endpoint.unsupported",
    description="an endpoint answers like an unimplemented route (405/501, or a 404 "
    "without an error envelope): a capability the server lacks",
)
def unsupported(exchange: Exchange, ctx) -> Iterator[Finding]:
    if exchange.endpoint == "other" or exchange.response is None or not _route_missing(exchange):
        return
    served = [
        x
        for x in getattr(ctx, "exchanges", None) or []
        if x.index < exchange.index
        and x.endpoint == exchange.endpoint
        and x.response is not None
        and x.response.status is not None
        and 200 <= x.response.status < 300
    ]
    if served:
        return  # the route answered earlier in this flow: this 404 is about the id (http.error_body judges its body)
    ep, resp = exchange.endpoint, exchange.response
    assert resp is not None  # _route_missing needs an answer
    profile = getattr(ctx, "provider", None)
    documented = (getattr(profile, "endpoints", None) or {}).get(ep)
    name = getattr(profile, "name", "?")
    text = _said(resp.body)
    said = f"saying {preview(text, 80)}" if text else f"with {_what(resp.raw_body)}"
    if ep == "websocket":
        said = "to the upgrade request, not 101 Switching Protocols"
    f = finding(
        "endpoint.unsupported",
        "",
        f"{ep} is not implemented here: HTTP {resp.status} {said}",
        expected=f"{ep} implemented",
        actual=resp.status,
        source=SOURCE,
        unsupported=ep,
    )
    if not documented and name != "openai":
        # The profile says the provider has no such endpoint: a capability, reported, not a divergence.
        f.classification = DOCUMENTED
        f.source = f"providers/{name}.yaml: endpoints.{ep} is not documented"
    yield f
