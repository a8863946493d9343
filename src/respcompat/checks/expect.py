"""case.* checks: what a case or flow step declares in `expect:` (Exchange.meta["expect"]), judged on its answer.

Each check runs only when its key is in the expectation. Body checks judge the response object that states the
outcome (a stream's terminal event); an HTTP error or a stream without a terminal event is left to
`case.http_status`, `http.error_body` and `stream.terminal_event`. `expect.documented` is judged by
`case.parameter_acceptance` (documented.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from jsonschema.exceptions import SchemaError, UnknownType
from jsonschema.validators import Draft202012Validator, validator_for
from referencing.exceptions import Unresolvable

from ..exchange import Exchange
from ..findings import Finding
from ..preview import clip
from . import check
from ._wire import final_response, is_int, path_key, ptr, request_body, say

# The page that defines the Responses API, for expectations whose case names no doc (flow steps).
DEFAULT_DOC = "https://platform.openai.com/docs/api-reference/responses"


def _expect(exchange: Exchange) -> dict[str, Any]:
    value = exchange.meta.get("expect")
    return value if isinstance(value, dict) else {}


def _finding(
    exchange: Exchange, check_id: str, pointer: str, message: str, expected: Any, actual: Any, event: int | None = None
) -> Finding:
    """A finding left unclassified (classify.py reads the profile), sourced from the case's doc link."""
    return Finding(
        check=check_id,
        pointer=pointer,
        message=message,
        expected=clip(expected),
        actual=clip(actual),
        event=event,
        source=exchange.meta.get("doc") or DEFAULT_DOC,
        details={"case": exchange.meta.get("case")},
    )


def _outcome(exchange: Exchange) -> tuple[int | None, str, dict] | None:
    """(event, pointer prefix, response) of a successful answer; None for an HTTP error or an unfinished stream."""
    status = exchange.response.status if exchange.response is not None else None
    if status is not None and not 200 <= status < 300:
        return None
    return final_response(exchange)


def _items(resp: dict, kind: str) -> list[tuple[int, dict]]:
    out = resp.get("output")
    return [
        (i, it)
        for i, it in enumerate(out if isinstance(out, list) else [])
        if isinstance(it, dict) and it.get("type") == kind
    ]


def _texts(resp: dict) -> list[tuple[tuple[Any, ...], str]]:
    """Every output_text part of the message items: (pointer tokens, text)."""
    return [
        (("output", i, "content", j, "text"), part["text"])
        for i, item in _items(resp, "message")
        for j, part in enumerate(item["content"] if isinstance(item.get("content"), list) else [])
        if isinstance(part, dict) and part.get("type") == "output_text" and isinstance(part.get("text"), str)
    ]


def _status_matches(want: Any, got: int) -> bool:
    if isinstance(want, str) and len(want) == 3 and want.endswith("xx"):
        return str(got)[0] == want[0]
    return got == want


@check("case.http_status", description="the HTTP status is the one the case expects (exact or a class such as 4xx)")
def http_status(exchange: Exchange, ctx) -> Iterator[Finding]:
    want = _expect(exchange).get("http_status")
    got = exchange.response.status if exchange.response is not None else None
    if want is None or got is None:  # a recording that kept only the body says nothing about the status
        return
    if not _status_matches(want, got):
        yield _finding(exchange, "case.http_status", "", f"HTTP status {got}, the case expects {want}", want, got)


@check("case.status", description="the response status is the one the case expects")
def status(exchange: Exchange, ctx) -> Iterator[Finding]:
    expect = _expect(exchange)
    # With an incomplete_reason, case.incomplete judges the status, so one cause gives one finding.
    if "status" not in expect or "incomplete_reason" in expect or (final := _outcome(exchange)) is None:
        return
    event, at, resp = final
    if resp.get("status") != expect["status"]:
        yield _finding(
            exchange,
            "case.status",
            f"{at}/status",
            f"status is {say(resp.get('status'))}, the case expects {expect['status']!r}",
            expect["status"],
            resp.get("status"),
            event,
        )


@check("case.incomplete", description="an incomplete answer says why: status incomplete, incomplete_details.reason")
def incomplete(exchange: Exchange, ctx) -> Iterator[Finding]:
    expect = _expect(exchange)
    if "incomplete_reason" not in expect or (final := _outcome(exchange)) is None:
        return
    event, at, resp = final
    want_status = expect.get("status", "incomplete")
    if resp.get("status") != want_status:
        yield _finding(
            exchange,
            "case.incomplete",
            f"{at}/status",
            f"status is {say(resp.get('status'))}, the case expects {want_status!r} "
            f"(reason {expect['incomplete_reason']})",
            want_status,
            resp.get("status"),
            event,
        )
        return
    details = resp.get("incomplete_details")
    reason = details.get("reason") if isinstance(details, dict) else None
    if reason != expect["incomplete_reason"]:
        yield _finding(
            exchange,
            "case.incomplete",
            f"{at}/incomplete_details/reason",
            f"incomplete_details.reason is {say(reason)}, the case expects {expect['incomplete_reason']!r}",
            expect["incomplete_reason"],
            details,
            event,
        )


@check("case.max_output_tokens", description="usage.output_tokens stays within the max_output_tokens the case sets")
def max_output_tokens(exchange: Exchange, ctx) -> Iterator[Finding]:
    limit = _expect(exchange).get("max_output_tokens")
    if not isinstance(limit, int) or (final := _outcome(exchange)) is None:
        return
    event, at, resp = final
    usage = resp.get("usage")
    used = usage.get("output_tokens") if isinstance(usage, dict) else None
    if isinstance(used, int) and is_int(used) and used > limit:
        yield _finding(
            exchange,
            "case.max_output_tokens",
            f"{at}/usage/output_tokens",
            f"{used} output tokens, more than max_output_tokens {limit}",
            f"<= {limit}",
            used,
            event,
        )


def _offered(exchange: Exchange, want: Any) -> Any:
    """A named function the request does not offer means "a call": a documentation example has tools of its own."""
    tools = (request_body(exchange) or {}).get("tools")
    if (
        isinstance(want, str)
        and isinstance(tools, list)
        and tools
        and not any(isinstance(t, dict) and t.get("name") == want for t in tools)
    ):
        return True
    return want


@check("case.function_call", description="a function call is made (true), none is (false), or the named one is")
def function_call(exchange: Exchange, ctx) -> Iterator[Finding]:
    expect = _expect(exchange)
    if "function_call" not in expect or (final := _outcome(exchange)) is None:
        return
    want, (event, at, resp) = _offered(exchange, expect["function_call"]), final
    names = [item.get("name") for _, item in _items(resp, "function_call")]
    shown = ", ".join(say(n, 60) for n in names[:10]) + (", ..." if len(names) > 10 else "")
    if want is False and names:
        message = f"a function call ({shown}) where the case expects none"
    elif want is True and not names:
        message = "no function call where the case expects one"
    elif isinstance(want, str) and want not in names:
        message = f"no call to {want}" + (f" (calls: {shown})" if names else " (no call at all)")
    else:
        return
    yield _finding(exchange, "case.function_call", f"{at}/output", message, want, names, event)


@check("case.output_text", description="the output text contains what the case expects (case-insensitive)")
def output_text(exchange: Exchange, ctx) -> Iterator[Finding]:
    want = _expect(exchange).get("output_text_contains")
    if not isinstance(want, str) or (final := _outcome(exchange)) is None:
        return
    event, at, resp = final
    texts = _texts(resp)
    text = "".join(t for _, t in texts)
    if want.lower() not in text.lower():
        where = at + (ptr(*texts[0][0]) if len(texts) == 1 else "/output")
        yield _finding(
            exchange,
            "case.output_text",
            where,
            f"the output text does not contain {want!r}",
            f"contains {want!r}",
            text,
            event,
        )


def _requested_schema(exchange: Exchange) -> dict | None:
    text = (request_body(exchange) or {}).get("text")
    fmt = text.get("format") if isinstance(text, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and isinstance(fmt.get("schema"), dict):
        return fmt["schema"]
    return None


@check("case.structured_output", description="the output text is JSON that satisfies the request's text.format schema")
def structured_output(exchange: Exchange, ctx) -> Iterator[Finding]:
    if _expect(exchange).get("output_json") is not True or (final := _outcome(exchange)) is None:
        return
    event, at, resp = final
    texts = _texts(resp)
    text = "".join(t for _, t in texts)
    where = at + (ptr(*texts[0][0]) if len(texts) == 1 else "/output")
    try:
        value = json.loads(text)
    except ValueError as exc:
        yield _finding(
            exchange, "case.structured_output", where, f"the output text is not JSON: {exc}", "JSON text", text, event
        )
        return
    schema = _requested_schema(exchange)
    if schema is None:  # a documentation example without its request: parsing is all that can be judged
        return
    try:
        cls = validator_for(schema, default=Draft202012Validator)
        cls.check_schema(schema)
        errors = sorted(cls(schema).iter_errors(value), key=lambda e: path_key(e.absolute_path))
    except (SchemaError, UnknownType, Unresolvable, re.error, RecursionError):
        return  # the request's own schema is broken: nothing to judge against
    for err in errors:
        yield _finding(
            exchange,
            "case.structured_output",
            where,
            f"the output JSON breaks the requested schema at {say(ptr(*err.absolute_path) or '/')}: "
            f"{say(err.message, 200)}",
            err.schema,
            err.instance,
            event,
        )


@check("case.reasoning", description="a reasoning item is (true) or is not (false) in the output")
def reasoning(exchange: Exchange, ctx) -> Iterator[Finding]:
    want = _expect(exchange).get("reasoning")
    if not isinstance(want, bool) or (final := _outcome(exchange)) is None:
        return
    event, at, resp = final
    found = [i for i, _ in _items(resp, "reasoning")]
    if bool(found) != want:
        message = (
            "no reasoning item where the case expects one" if want else "a reasoning item where the case expects none"
        )
        yield _finding(
            exchange,
            "case.reasoning",
            f"{at}/output" + (f"/{found[0]}" if found else ""),
            message,
            want,
            [f"output[{i}]" for i in found],
            event,
        )
