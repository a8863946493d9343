"""Function call checks: arguments are a JSON object, and satisfy the requested tool's `parameters`."""

from __future__ import annotations

import json
from collections.abc import Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import finding, payloads, ptr, request_body, terminal

JSON, SCHEMA = "function_call.arguments_json", "function_call.arguments_schema"


def _calls(exchange: Exchange) -> Iterator[tuple[dict, str, int | None]]:
    """Every function_call item once: `(item, pointer, event)`; a stream's items from output_item.done."""
    resp = exchange.response
    if resp is None:
        return
    if resp.events is None:
        out = resp.body.get("output") if isinstance(resp.body, dict) else None
        for i, item in enumerate(out if isinstance(out, list) else []):
            if isinstance(item, dict) and item.get("type") == "function_call":
                yield item, ptr("output", i), None
        return
    seen = set()
    for e in payloads(exchange):
        item = e.data.get("item")
        if e.type == "response.output_item.done" and isinstance(item, dict) and item.get("type") == "function_call":
            seen.add(item.get("id"))
            yield item, "/item", e.index
    end = terminal(exchange)  # items the stream never announced still get judged, once
    out = (end.data.get("response") or {}).get("output") if end is not None else None
    for i, item in enumerate(out if isinstance(out, list) else []):
        if isinstance(item, dict) and item.get("type") == "function_call" and item.get("id") not in seen:
            yield item, ptr("response", "output", i), end.index


def _parse(item: dict):
    args = item.get("arguments")
    if not isinstance(args, str):
        return None, "arguments is not a string"
    try:
        value = json.loads(args)
    except ValueError as exc:
        return None, f"arguments is not JSON: {exc}"
    if not isinstance(value, dict):
        return None, f"arguments is JSON {type(value).__name__}, not an object"
    return value, None


@check(JSON, description="function call arguments parse as JSON objects")
def arguments_json(exchange: Exchange, ctx) -> Iterator[Finding]:
    for item, at, event in _calls(exchange):
        _, problem = _parse(item)
        if problem:
            yield finding(JSON, at + "/arguments", problem, expected="a JSON object (string)",
                          actual=item.get("arguments"), event=event)


def _tools(exchange: Exchange) -> dict[str, dict] | None:
    body = request_body(exchange)
    if body is None or not isinstance(body.get("tools"), list) or exchange.endpoint != "create":
        return None
    return {t["name"]: t for t in body["tools"]
            if isinstance(t, dict) and t.get("type") == "function" and isinstance(t.get("name"), str)}


@check(SCHEMA, description="function call arguments satisfy the tool's parameters when the request is known")
def arguments_schema(exchange: Exchange, ctx) -> Iterator[Finding]:
    tools = _tools(exchange)
    if tools is None:
        return
    for item, at, event in _calls(exchange):
        name = item.get("name")
        if name not in tools:
            yield finding(SCHEMA, at + "/name", "the call names a function the request did not offer",
                          expected=sorted(tools), actual=name, event=event)
            continue
        value, problem = _parse(item)
        params = tools[name].get("parameters")
        if problem or not isinstance(params, dict):
            continue  # unparseable arguments are arguments_json's finding
        try:
            errors = sorted(Draft202012Validator(params).iter_errors(value), key=lambda e: list(e.path))
        except SchemaError:
            continue  # the request's own schema is broken: nothing to judge against
        for err in errors:
            yield finding(SCHEMA, at + "/arguments", f"arguments violate {name}.parameters: {err.message}",
                          expected=err.schema if err.validator in ("type", "enum", "const") else err.validator,
                          actual=err.instance, event=event, source="request tools[].parameters",
                          arguments_pointer="".join("/" + str(p) for p in err.absolute_path))
