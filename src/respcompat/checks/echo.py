"""request.echo: the response echoes the request parameters that were sent (only those)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._diff import first_diff
from ._wire import final_response, finding, request_body

CHECK = "request.echo"
_MISSING = object()
# Echoed as sent.
_PLAIN = (
    "instructions",
    "temperature",
    "top_p",
    "max_output_tokens",
    "store",
    "previous_response_id",
    "parallel_tool_calls",
    "metadata",
    "truncation",
    "max_tool_calls",
    "top_logprobs",
    "background",
    "prompt_cache_key",
    "safety_identifier",
    "user",
)


def _get(doc: Any, path: tuple) -> Any:
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return _MISSING
        doc = doc[key]
    return doc


def _model(sent: str, got: Any) -> bool:
    # OpenAI answers an alias with its dated snapshot: gpt-4o-mini -> gpt-4o-mini-2024-07-18.
    return isinstance(got, str) and (got == sent or got.startswith(sent + "-"))


def _tool_names(tools: Any) -> list:
    if not isinstance(tools, list):
        return []
    return sorted(
        (str(t.get("type")), str(t.get("name"))) for t in tools if isinstance(t, dict) and t.get("type") == "function"
    )


def _same(sent: Any, got: Any) -> bool:
    return first_diff(sent, got) is None


def _pairs(req: dict, resp: dict) -> Iterator[tuple[str, Any, Any, bool]]:
    """(pointer, sent, echoed, equal) for every parameter that was sent and is echoed."""
    if isinstance(req.get("model"), str) and "model" in resp:
        yield "/model", req["model"], resp["model"], _model(req["model"], resp["model"])
    for name in _PLAIN:
        # null asks for the default: the server echoes the default it applied, not null
        if (
            req.get(name) is not None
            and name in resp
            and not (name == "instructions" and not isinstance(req[name], str))
        ):
            yield f"/{name}", req[name], resp[name], _same(req[name], resp[name])
    if "tool_choice" in req and "tool_choice" in resp:
        sent, got = req["tool_choice"], resp["tool_choice"]
        ok = (
            _same(sent, got)
            if not isinstance(sent, dict) or not isinstance(got, dict)
            else all(_same(v, got.get(k)) for k, v in sent.items())
        )  # OpenAI may add keys to a forced choice
        yield "/tool_choice", sent, got, ok
    if "tools" in req and "tools" in resp:
        sent, got = _tool_names(req["tools"]), _tool_names(resp["tools"])
        yield "/tools", sent, got, sent == got
    for path in (("text", "format", "type"), ("reasoning", "effort")):
        sent, got = _get(req, path), _get(resp, path)
        if sent is not _MISSING and sent is not None and got is not _MISSING:
            yield "/" + "/".join(path), sent, got, _same(sent, got)


@check(CHECK, description="echoed request parameters equal what was sent, when the request is known")
def request_echo(exchange: Exchange, ctx) -> Iterator[Finding]:
    req = request_body(exchange)
    final = final_response(exchange)
    if req is None or final is None or exchange.endpoint != "create":
        return
    event, prefix, resp = final
    for at, sent, got, ok in _pairs(req, resp):
        if not ok:
            yield finding(CHECK, prefix + at, f"{at[1:]} is not echoed as sent", expected=sent, actual=got, event=event)
