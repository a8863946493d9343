"""The planted faults: each a small, named change of the conforming server, switched on by the URL or the constructor.

`/fault/<name>[,<name>...]/v1` selects faults for one request; a fault may carry a value (`slow-first-byte=0.5`,
`crash-on=temperature:0.5`). Commas inside a JSON value's brackets or quotes do not split; a fault named twice keeps
both values (`ignore-param=top_p,ignore-param=user`), read back with `values()`.
"""

from __future__ import annotations

import json
from typing import Any

FAULTS: dict[str, str] = {
    # a non-streamed 200 create answers with a broken body
    "null-body": "a 200 create answers with the JSON body `null`",
    "html-body": "a 200 create answers with an HTML page (text/html)",
    "truncated-json": "a 200 create answers with the first half of its JSON body",
    "list-body": "a 200 create answers with a JSON list holding the response object",
    "wrong-object": "a 200 create answers with object `chat.completion` instead of `response`",
    "empty-body": "a 200 create answers with an empty body",
    # parameters accepted but not applied
    "ignore-previous-response-id": "earlier turns are not seen and previous_response_id is echoed as null",
    "ignore-instructions": "instructions are not applied and echoed as null",
    "drop-text-format": "text.format is not applied and echoed as plain text; `drop-text-format=echo`: echoed as "
    "sent, so only the wording (plain text, not JSON) shows it",
    "ignore-max-output-tokens": "the full answer comes back completed, though max_output_tokens is echoed",
    # stream framing and lifecycle
    "no-output-text-done": "the stream lacks response.output_text.done",
    "no-content-part-done": "the stream lacks response.content_part.done",
    "no-output-item-done": "the stream lacks response.output_item.done",
    "no-event-lines": "the stream sends `data:` lines without `event:` lines",
    "done-sentinel": "the stream ends with `data: [DONE]` after the terminal event",
    "wrong-terminal-event": "the terminal event is response.completed while its response says incomplete",
    "no-sequence-number": "no event carries sequence_number",
    "no-output-index": "no event carries output_index",
    "cut-stream": "the chunked stream stops after half of the events (no terminal event, no last chunk) and closes",
    # infrastructure
    "503-always": "every request answers 503 with an error body",
    "429-once": "each request body is first refused with 429 (Retry-After: 0), its retry succeeds",
    "slow-first-byte": "the headers come after a delay (`slow-first-byte=<s>`, ?delay=<s>, default 3 s)",
    "hang": "no answer at all; the handler gives up by itself after 60 s",
    # endpoints
    "no-websocket": "GET /responses (the WebSocket mode's handshake) is an unimplemented route (404)",
    "no-retrieve": "GET /responses/{id} is an unimplemented route (plain-text `404 page not found`)",
    "no-delete": "DELETE /responses/{id} is an unimplemented route (plain-text `404 page not found`)",
    "no-input-items": "GET /responses/{id}/input_items is an unimplemented route (plain-text `404 page not found`)",
    "store-false-retrievable": "a response created with store=false can be retrieved",
    "retrieve-after-delete": "a deleted response is still retrieved with 200",
    "retrieve-differs": "a retrieve returns a different output text than the create did",
    # secrets
    "echo-key-body": "the caller's API key comes back in the response body (metadata.caller_key)",
    "echo-key-header": "the caller's API key comes back in a response header (x-caller-key)",
    "echo-key-error": "every create is refused with a 400 whose message contains the caller's API key",
    # odd bodies
    "deep-json": "a 200 create body carries a field nested 600 levels deep (debug)",
    "extra-fields": "llama.cpp-style extras: `timings` on the response, `obfuscation` on every delta (even when "
    "stream_options.include_obfuscation is false)",
    "error-type-bad": "every create is refused with a 400 whose error.type is `bad_thing`",
    # one parameter at a time (`<param>` is a dotted path: `temperature`, `reasoning.effort`, `text.format`)
    "crash-on": "`crash-on=<param>[:<JSON value>]`: a create with that parameter equal to that value (or set at "
    "all) answers 500",
    "flaky-crash": "every second create (counted per server) answers 500: a verdict that changes between repeats",
    "accept-invalid": "`accept-invalid=<param>`: an invalid value of that parameter is accepted (200), echoed as sent",
    "reject-valid": "`reject-valid=<param>[:<JSON value>]`: that (valid) value is refused with a 400 naming the parameter",
    "ignore-param": "`ignore-param=<param>`: the parameter is accepted, not applied, and echoed as its default",
    "error-no-param": "4xx errors omit error.param and their message names no parameter",
}

# Faults that need a value, and the faults that may be named more than once (their values add up).
NEEDS_VALUE = ("crash-on", "accept-invalid", "reject-valid", "ignore-param")


class UnknownFault(ValueError):
    """A fault name that is not in FAULTS."""


def parse(spec: str | list[str] | tuple[str, ...] | dict[str, str | None] | None) -> dict[str, str | None]:
    """`"a,b=1"` or `["a", "b=1"]` or `{"a": None}` -> {name: value or None}; raises UnknownFault."""
    if not spec:
        return {}
    if isinstance(spec, dict):
        items = [f"{k}={v}" if v is not None else k for k, v in spec.items()]
    else:
        items = split(spec) if isinstance(spec, str) else list(spec)
    out: dict[str, str | None] = {}
    for raw in items:
        name, _, value = raw.strip().partition("=")
        if not name:
            continue
        if name not in FAULTS:
            raise UnknownFault(f"unknown fault {name!r}; known faults: {', '.join(sorted(FAULTS))}")
        if name in NEEDS_VALUE and not value:
            raise UnknownFault(f"fault {name!r} needs a value: {FAULTS[name]}")
        out[name] = f"{out[name]},{value}" if name in NEEDS_VALUE and out.get(name) else value or None
    return out


def split(text: str) -> list[str]:
    """`text` cut at the commas outside JSON brackets and strings."""
    out, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(depth - 1, 0)
        elif c == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
        i += 1
    out.append(text[start:])
    return [t for t in out if t.strip()]


def values(faults: dict[str, str | None], name: str) -> list[str]:
    """Every value given to fault `name` (none when it is off)."""
    return split(faults.get(name) or "") if name in faults else []


def create_body(faults: dict[str, str | None], doc: dict[str, Any]) -> tuple[bytes, str] | None:
    """The broken (body, content type) a body fault sends for a 200 create, or None to send `doc` as it is."""
    text = json.dumps(doc, ensure_ascii=False)
    if "null-body" in faults:
        return b"null", "application/json"
    if "html-body" in faults:
        return b"<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>", "text/html"
    if "truncated-json" in faults:
        return text[: len(text) // 2].encode(), "application/json"
    if "list-body" in faults:
        return json.dumps([doc], ensure_ascii=False).encode(), "application/json"
    if "wrong-object" in faults:
        return json.dumps({**doc, "object": "chat.completion"}, ensure_ascii=False).encode(), "application/json"
    if "empty-body" in faults:
        return b"", "application/json"
    if "deep-json" in faults:
        deep = '{"a":' * 600 + "1" + "}" * 600  # built as text: no recursion on either side of the fake
        return (text[:-1] + ', "debug": ' + deep + "}").encode(), "application/json"
    return None


_DROPPED = {
    "no-output-text-done": "response.output_text.done",
    "no-content-part-done": "response.content_part.done",
    "no-output-item-done": "response.output_item.done",
}


def stream(faults: dict[str, str | None], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stream's events with the event-level faults applied (framing faults are the server's)."""
    gone = {t for name, t in _DROPPED.items() if name in faults}
    events = [e for e in events if e["type"] not in gone]
    for i, e in enumerate(events):  # renumbered, so a dropped event is the only change
        e["sequence_number"] = i
        if "no-sequence-number" in faults:
            e.pop("sequence_number")
        if "no-output-index" in faults:
            e.pop("output_index", None)
    if "wrong-terminal-event" in faults:
        last = events[-1]
        last["type"] = "response.completed"
        last["response"] = {
            **last["response"],
            "status": "incomplete",
            "incomplete_details": last["response"]["incomplete_details"] or {"reason": "max_output_tokens"},
        }
    return events
