"""The fake's wire shapes, as OpenAI sends them: response objects, output items, stream events, error envelopes."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from typing import Any

from .model import Answer, chunks


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}{uuid.uuid4().hex[:16]}"


def error(
    message: str, param: str | None = None, code: str | None = None, type_: str = "invalid_request_error"
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


# --- echoed request parameters -------------------------------------------------------------------------------


def echo_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A function tool as OpenAI echoes it: description null and strict true when not sent."""
    if tool.get("type") != "function":
        return copy.deepcopy(tool)
    return {
        "type": "function",
        "description": tool.get("description"),
        "name": tool.get("name"),
        "parameters": copy.deepcopy(tool.get("parameters")),
        "strict": tool.get("strict", True),
    }


def echo_text(text: Any) -> dict[str, Any]:
    text = text if isinstance(text, dict) else {}
    fmt = text.get("format") if isinstance(text.get("format"), dict) else {"type": "text"}
    if fmt.get("type") == "json_schema":
        fmt = {
            "type": "json_schema",
            "description": fmt.get("description"),
            "name": fmt.get("name"),
            "schema": copy.deepcopy(fmt.get("schema")),
            "strict": fmt.get("strict", False),
        }
    return {"format": copy.deepcopy(fmt), "verbosity": text.get("verbosity", "medium")}


def echo(request: dict[str, Any], *, instructions: Any, previous_response_id: Any, text: Any) -> dict[str, Any]:
    """Every request parameter the response object carries, with OpenAI's defaults for the ones not sent.

    A parameter sent as null is echoed null where the response schema allows it, else as its default."""
    reasoning = request.get("reasoning") if isinstance(request.get("reasoning"), dict) else {}
    g = request.get
    sent: dict[str, Any] = {}  # carried only when sent, as on OpenAI's wire
    if g("conversation") is not None:
        cid = g("conversation")
        sent["conversation"] = {"id": cid.get("id") if isinstance(cid, dict) else cid}
    if isinstance(g("prompt"), dict):
        sent["prompt"] = {"id": g("prompt")["id"], "variables": None, "version": None, **copy.deepcopy(g("prompt"))}
    if isinstance(g("prompt_cache_options"), dict):
        sent["prompt_cache_options"] = {"ttl": "30m", "mode": "implicit", **g("prompt_cache_options")}
    return sent | {
        "background": g("background", False),
        "instructions": instructions,
        "max_output_tokens": g("max_output_tokens"),
        "max_tool_calls": g("max_tool_calls"),
        "model": g("model"),
        "parallel_tool_calls": g("parallel_tool_calls") is not False,  # never null on the wire: null is the default
        "previous_response_id": previous_response_id,
        "prompt_cache_key": g("prompt_cache_key"),
        "prompt_cache_retention": g("prompt_cache_retention"),
        "reasoning": {"effort": None, "summary": None} | {k: v for k, v in reasoning.items() if v is not None},
        "safety_identifier": g("safety_identifier"),
        "service_tier": "default" if g("service_tier") in (None, "auto") else g("service_tier"),
        "store": g("store") is not False,
        "temperature": g("temperature", 1.0),
        "text": echo_text(text),
        "tool_choice": copy.deepcopy(g("tool_choice", "auto")),
        "tools": [echo_tool(t) for t in g("tools") or []],
        "top_logprobs": g("top_logprobs", 0),
        "top_p": g("top_p", 1.0),
        "truncation": g("truncation", "disabled"),
        "user": g("user"),
        "metadata": copy.deepcopy(g("metadata", {})),
    }


_ORDER = (
    "id",
    "object",
    "created_at",
    "status",
    "background",
    "completed_at",
    "conversation",
    "error",
    "incomplete_details",
    "instructions",
    "max_output_tokens",
    "max_tool_calls",
    "model",
    "output",
    "parallel_tool_calls",
    "previous_response_id",
    "prompt",
    "prompt_cache_key",
    "prompt_cache_retention",
    "reasoning",
    "safety_identifier",
    "service_tier",
    "store",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "truncation",
    "usage",
    "user",
    "metadata",
)


def response_object(
    rid: str,
    created_at: int,
    echoed: dict[str, Any],
    *,
    status: str,
    output: list[dict],
    usage: dict | None,
    completed_at: int | None,
    incomplete_reason: str | None = None,
) -> dict:
    doc = {
        **echoed,
        "id": rid,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "completed_at": completed_at,
        "error": None,
        "incomplete_details": {"reason": incomplete_reason} if incomplete_reason else None,
        "output": output,
        "usage": usage,
    }
    return {k: doc[k] for k in _ORDER if k in doc} | {k: v for k, v in doc.items() if k not in _ORDER}


def usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


# --- output items --------------------------------------------------------------------------------------------


def output_text(text: str, top_logprobs: int | None = None) -> dict[str, Any]:
    """An output_text part; with `top_logprobs` (logprobs were asked for) each stream chunk gets its logprob."""
    logprobs = [] if top_logprobs is None else [logprob(c, top_logprobs) for c in chunks(text)]
    return {"type": "output_text", "annotations": [], "logprobs": logprobs, "text": text}


def logprob(token: str, top: int) -> dict[str, Any]:
    """The token's logprob and `top` alternatives, the token itself first (deterministic numbers)."""
    alternatives = [token] + [f"alt{k}" for k in range(1, top)]
    return {
        "token": token,
        "logprob": -0.01,
        "bytes": list(token.encode()),
        "top_logprobs": [
            {"token": t, "logprob": -0.01 if k == 0 else -float(k), "bytes": list(t.encode())}
            for k, t in enumerate(alternatives[:top])
        ],
    }


def output_items(
    answer: Answer, *, complete: bool, reasoning: bool, top_logprobs: int | None = None, encrypted: bool = False
) -> list[dict[str, Any]]:
    """The output of one answer; `complete=False` marks the message cut by max_output_tokens."""
    items: list[dict[str, Any]] = []
    if reasoning:
        item: dict[str, Any] = {"id": new_id("rs"), "type": "reasoning", "summary": []}
        if encrypted:  # include ["reasoning.encrypted_content"]: the opaque state a stateless caller sends back
            item["encrypted_content"] = "gAAAAB" + base64.urlsafe_b64encode(uuid.uuid4().bytes * 4).decode()
        items.append(item)
    if answer.kind == "function_call":
        items.append(
            {
                "id": new_id("fc"),
                "type": "function_call",
                "status": "completed",
                "arguments": answer.arguments,
                "call_id": new_id("call")[:29],
                "name": answer.name,
            }
        )
    else:
        items.append(
            {
                "id": new_id("msg"),
                "type": "message",
                "status": "completed" if complete else "incomplete",
                "content": [output_text(answer.text, top_logprobs)],
                "role": "assistant",
            }
        )
    return items


# --- stream events -------------------------------------------------------------------------------------------


def stream_events(final: dict[str, Any], *, obfuscation: bool = False) -> list[dict[str, Any]]:
    """The events OpenAI sends for `final`, numbered by sequence_number; the last one is the terminal event."""
    start = {
        **final,
        "status": "in_progress",
        "completed_at": None,
        "incomplete_details": None,
        "output": [],
        "usage": None,
    }
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": start},
        {"type": "response.in_progress", "response": copy.deepcopy(start)},
    ]
    for oi, item in enumerate(final["output"]):
        events.extend(_item_events(oi, item, obfuscation))
    terminal = "response.incomplete" if final["status"] == "incomplete" else "response.completed"
    events.append({"type": terminal, "response": final})
    return [
        {"type": e["type"], "sequence_number": i, **{k: v for k, v in e.items() if k != "type"}}
        for i, e in enumerate(events)
    ]


def _item_events(oi: int, item: dict[str, Any], obfuscation: bool) -> list[dict[str, Any]]:
    iid, kind = item["id"], item["type"]
    where = {"item_id": iid, "output_index": oi}
    extra = (
        (lambda d: {**d, "obfuscation": uuid.uuid4().hex[: 16 - min(len(d["delta"]), 15)]})
        if obfuscation
        else (lambda d: d)
    )
    if kind == "message":
        text = item["content"][0]["text"]
        # an event's alternatives are {token, logprob}; a content part's also carry bytes
        logprobs = [
            {**lp, "top_logprobs": [{"token": t["token"], "logprob": t["logprob"]} for t in lp["top_logprobs"]]}
            for lp in item["content"][0]["logprobs"]
        ]
        part = {"content_index": 0}
        return [
            {
                "type": "response.output_item.added",
                "output_index": oi,
                "item": {**item, "status": "in_progress", "content": []},
            },
            {"type": "response.content_part.added", **where, **part, "part": output_text("")},
            *[
                extra(
                    {
                        "type": "response.output_text.delta",
                        **where,
                        **part,
                        "delta": d,
                        "logprobs": copy.deepcopy(logprobs[i : i + 1]),
                    }
                )
                for i, d in enumerate(chunks(text))
            ],
            {"type": "response.output_text.done", **where, **part, "text": text, "logprobs": copy.deepcopy(logprobs)},
            {"type": "response.content_part.done", **where, **part, "part": copy.deepcopy(item["content"][0])},
            {"type": "response.output_item.done", "output_index": oi, "item": item},
        ]
    if kind == "function_call":
        args = item["arguments"]
        return [
            {
                "type": "response.output_item.added",
                "output_index": oi,
                "item": {**item, "status": "in_progress", "arguments": ""},
            },
            *[
                extra({"type": "response.function_call_arguments.delta", **where, "delta": d})
                for d in _arg_chunks(args)
            ],
            {"type": "response.function_call_arguments.done", **where, "arguments": args},
            {"type": "response.output_item.done", "output_index": oi, "item": item},
        ]
    return [
        {"type": "response.output_item.added", "output_index": oi, "item": item},
        {"type": "response.output_item.done", "output_index": oi, "item": item},
    ]


def _arg_chunks(args: str, size: int = 8) -> list[str]:
    return [args[i : i + size] for i in range(0, len(args), size)] or [""]


def sse(events: list[dict[str, Any]], *, event_lines: bool = True) -> list[bytes]:
    """One SSE block per event, as OpenAI frames them (`event:` line, `data:` line, blank line)."""
    out = []
    for e in events:
        data = json.dumps(e, ensure_ascii=False, separators=(",", ":"))
        head = f"event: {e.get('type')}\n" if event_lines else ""
        out.append(f"{head}data: {data}\n\n".encode())
    return out
