"""Function call checks: arguments are a JSON object, and satisfy the requested tool's `parameters`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, UnknownType
from referencing.exceptions import Unresolvable

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import finding, path_key, payloads, ptr, request_body, say, terminal

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
            seen.add(_key(item.get("id")))
            yield item, "/item", e.index
    end = terminal(exchange)  # items the stream never announced still get judged, once
    resp = end.data.get("response") if end is not None else None
    out = resp.get("output") if isinstance(resp, dict) else None
    for i, item in enumerate(out if isinstance(out, list) else []):
        if isinstance(item, dict) and item.get("type") == "function_call" and _key(item.get("id")) not in seen:
            yield item, ptr("response", "output", i), end.index


def _key(value):
    """An id usable as a set member: a wrong type (a list, an object) is the schema check's finding."""
    return value if isinstance(value, (str, int, float, bool)) or value is None else f"<{type(value).__name__}>"


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
            yield finding(
                JSON,
                at + "/arguments",
                problem,
                expected="a JSON object (string)",
                actual=item.get("arguments"),
                event=event,
            )


def _tools(exchange: Exchange) -> dict[str, dict] | None:
    body = request_body(exchange)
    if body is None or not isinstance(body.get("tools"), list) or exchange.endpoint != "create":
        return None
    return {
        t["name"]: t
        for t in body["tools"]
        if isinstance(t, dict) and t.get("type") == "function" and isinstance(t.get("name"), str)
    }


@check(SCHEMA, description="function call arguments satisfy the tool's parameters when the request is known")
def arguments_schema(exchange: Exchange, ctx) -> Iterator[Finding]:
    tools = _tools(exchange)
    if tools is None:
        return
    for item, at, event in _calls(exchange):
        name = item.get("name")
        if not isinstance(name, str):
            continue  # a wrong type is the schema check's finding
        if name not in tools:
            yield finding(
                SCHEMA,
                at + "/name",
                "the call names a function the request did not offer",
                expected=sorted(tools),
                actual=name,
                event=event,
            )
            continue
        value, problem = _parse(item)
        params = tools[name].get("parameters")
        if problem or not isinstance(params, dict):
            continue  # unparseable arguments are arguments_json's finding
        try:
            Draft202012Validator.check_schema(params)
            errors = sorted(Draft202012Validator(params).iter_errors(value), key=lambda e: path_key(e.path))
        except (SchemaError, UnknownType, Unresolvable, re.error, RecursionError):
            continue  # the request's own schema is broken: nothing to judge against
        for err in errors:
            yield finding(
                SCHEMA,
                at + "/arguments",
                f"arguments violate {say(name)}.parameters: {say(err.message, 200)}",
                expected=err.schema if err.validator in ("type", "enum", "const") else err.validator,
                actual=err.instance,
                event=event,
                source="request tools[].parameters",
                arguments_pointer="".join("/" + str(p) for p in err.absolute_path),
            )
