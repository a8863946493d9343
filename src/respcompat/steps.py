"""Cases as steps: every case, one request or a multi-step flow, is a list of steps (send, expect, save) sent by
`run_steps`. A step that needs what an earlier step did not give is not sent, and says why (the flow is then
inconclusive, never a quiet pass)."""

from __future__ import annotations

import re
from typing import Any

INVALID_KEY = "sk-respcompat-invalid-0000000000000000"
_WHOLE = re.compile(r"^\{([a-z_][a-z0-9_]*)\.([a-z0-9_.]+)\}$")
_INLINE = re.compile(r"\{([a-z_][a-z0-9_]*)\.([a-z0-9_.]+)\}")


class Precondition(Exception):
    """An earlier step gave no usable answer for this one."""


def steps_of(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The case's steps: its own `steps`, or the one request it describes (and a probe's varied request)."""
    if case.get("steps"):
        return [dict(s) for s in case["steps"]]
    one: dict[str, Any] = {
        k: case[k] for k in ("endpoint", "response_id", "request", "auth", "expect", "omit_model") if k in case
    }
    out = [one]
    probe = case.get("probe")
    if probe:
        one["meta"] = {"probe": "control"}
        out.append({**one, "request": {**one.get("request", {}), **probe["vary"]}, "meta": {"probe": "varied"}})
    return out


def response_of(x: Any) -> dict[str, Any] | None:
    """The response object of an exchange: its JSON body, or the last `response` its stream carried."""
    resp = getattr(x, "response", None)
    if resp is None:
        return None
    if resp.events is None:
        return resp.body if isinstance(resp.body, dict) else None
    found = [
        e.data["response"] for e in resp.events if isinstance(e.data, dict) and isinstance(e.data.get("response"), dict)
    ]
    return found[-1] if found else None


def _what(x: Any) -> str:
    resp = getattr(x, "response", None)
    if resp is None:
        return "no answer"
    return f"HTTP {resp.status}" + ("" if response_of(x) is not None else ", no response object")


def resolve(value: Any, saved: dict[str, Any], step_no: int) -> Any:
    """Replace `{name.path}` templates with what the saved step `name` answered."""
    if isinstance(value, dict):
        return {k: resolve(v, saved, step_no) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, saved, step_no) for v in value]
    if not isinstance(value, str) or "{" not in value:
        return value
    whole = _WHOLE.match(value)
    if whole:
        return _lookup(whole.group(1), whole.group(2), saved, step_no)
    return _INLINE.sub(lambda m: str(_lookup(m.group(1), m.group(2), saved, step_no)), value)


def _lookup(name: str, path: str, saved: dict[str, Any], step_no: int) -> Any:
    if name not in saved:
        raise Precondition(f"step {step_no} needs {{{name}.{path}}}, but no earlier step is saved as {name!r}")
    x = saved[name]
    node: Any = response_of(x)
    for part in path.split("."):
        if part == "function_call" and isinstance(node, dict):
            calls = [i for i in node.get("output") or [] if isinstance(i, dict) and i.get("type") == "function_call"]
            node = calls[0] if calls else None
        elif isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            node = None
        if node is None:
            raise Precondition(
                f"step {step_no} needs {{{name}.{path}}}, but step {name!r} ({x.label}) gave {_what(x)} with no {path}"
            )
    return node


# The WebSocket mode's opening handshake (RFC 6455): a server that has the mode answers 101 Switching Protocols.
WEBSOCKET_HEADERS = {
    "connection": "Upgrade",
    "upgrade": "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": "cmVzcGNvbXBhdC1wcm9iZQ==",
}
# Endpoints that take a request body, and their paths (the create is /responses).
BODY_PATHS = {"create": "/responses", "input_tokens": "/responses/input_tokens", "compact": "/responses/compact"}


def send(t: Any, step: dict[str, Any], model: str | None) -> Any:
    endpoint = step.get("endpoint", "create")
    if endpoint == "cancel":
        return t.send("POST", f"/responses/{step['response_id']}/cancel")
    if endpoint == "websocket":
        return t.send("GET", "/responses", headers=WEBSOCKET_HEADERS)
    if endpoint not in BODY_PATHS:
        return getattr(t, endpoint)(step["response_id"])
    body = dict(step.get("request") or {})
    if "model" not in body and not step.get("omit_model"):
        body = {"model": model, **body}
    headers = None
    if step.get("auth") == "invalid":
        auth = t.auth_header
        headers = {auth[0]: f"{auth[1]} {INVALID_KEY}".strip()} if auth else None
    if endpoint == "create":
        return t.create(body, headers=headers)
    return t.send("POST", BODY_PATHS[endpoint], body, headers=headers)


def run_steps(t: Any, case: dict[str, Any], model: str | None) -> list[str]:
    """Send every step in order; return why a step could not be sent (empty when all were)."""
    saved: dict[str, Any] = {}
    for n, raw in enumerate(steps_of(case), start=1):
        try:
            step = {
                **raw,
                "request": resolve(raw.get("request"), saved, n),
                "response_id": resolve(raw.get("response_id"), saved, n),
            }
        except Precondition as exc:
            return [str(exc)]
        x = send(t, step, model)
        expect = dict(step.get("expect") or {})
        if step.get("save") and "http_status" not in expect:
            expect["http_status"] = "2xx"  # a step others build on must succeed
        x.meta.update({"expect": expect, "step": n, **(step.get("meta") or {})})
        if step.get("save"):
            saved[step["save"]] = x
    return []
