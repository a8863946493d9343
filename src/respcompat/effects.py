"""Parameter effects, measured: a control request and one with the parameter varied, judged from what the server
echoes, counts and returns (structure) wherever it can, and from the wording only where nothing else tells.

Verdicts: applied | ignored | rejected | inconclusive, each with one line of evidence. `plan_effects` gives the pair
for every documented parameter of a contract; `judge` compares the two answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .generate import INPUT, SCHEMA_FORMAT, TOOL, Target, short
from .steps import response_of

APPLIED, IGNORED, REJECTED, INCONCLUSIVE = "applied", "ignored", "rejected", "inconclusive"
LONG_INPUT = "Write a long story about a lighthouse keeper."


@dataclass(frozen=True)
class Effect:
    """How to vary one parameter and what to measure. `control`/`varied` are merged into the base request."""

    parameter: str
    varied: dict[str, Any]
    measure: str  # a function name in MEASURES
    control: dict[str, Any] = field(default_factory=dict)
    model_dependent: bool = False
    setup: dict[str, Any] | None = None  # a first request whose id `{setup.id}` the varied one names

    @property
    def case_id(self) -> str:
        return f"gen.effect.{self.parameter}"


# Parameters with a measure better than the echo: the effect itself is visible in the structure.
SPECIAL: dict[str, Effect] = {
    "max_output_tokens": Effect(
        "max_output_tokens",
        {"max_output_tokens": 16},
        "token_cap",
        control={"input": LONG_INPUT, "max_output_tokens": 256},
    ),
    "tool_choice": Effect(
        "tool_choice",
        {"tool_choice": "required"},
        "function_call",
        control={
            "tools": [TOOL],
            "tool_choice": "none",
            "input": "What is the weather in Paris?",
            "max_output_tokens": 64,
        },
    ),
    "include": Effect(
        "include",
        {"include": ["message.output_text.logprobs"], "top_logprobs": 2},
        "logprobs",
    ),
    "top_logprobs": Effect(
        "top_logprobs",
        {"top_logprobs": 3},
        "top_logprobs",
        control={"include": ["message.output_text.logprobs"], "top_logprobs": 0},
    ),
    "stream": Effect("stream", {"stream": True}, "streamed"),
    "stream_options": Effect(
        "stream_options",
        {"stream_options": {"include_obfuscation": False}},
        "no_obfuscation",
        control={"stream": True},
    ),
    "previous_response_id": Effect(
        "previous_response_id",
        {"previous_response_id": "{setup.id}"},
        "input_grows",
        setup={"input": "Remember the number 42. Reply OK.", "store": True},
    ),
    "text": Effect(
        "text",
        {"text": {"format": SCHEMA_FORMAT}},
        "json_output",
        control={"input": "Name a city.", "max_output_tokens": 64},
        model_dependent=True,
    ),
    "background": Effect("background", {"background": True}, "background"),
}
# Values that differ from every default, for the echo measure (the plan's first value may be the default).
ECHO_VALUES: dict[str, Any] = {
    "temperature": 0.5,
    "top_p": 0.5,
    "truncation": "auto",
    "parallel_tool_calls": False,
    "max_tool_calls": 1,
    "metadata": {"respcompat": "1"},
    "user": "respcompat-user",
    "safety_identifier": "respcompat-user",
    "prompt_cache_key": "respcompat-cache-key",
    "instructions": "Always answer with the single word BANANA.",
    "store": False,
    "reasoning": {"effort": "low"},
    "service_tier": "flex",
    "prompt_cache_retention": "24h",
}
NOT_MEASURED = {
    "model": "the model is every request's own; no control to compare with",
    "input": "the input is every request's own; no control to compare with",
    "conversation": "needs a conversation made by the Conversations API",
    "prompt": "needs a prompt template made in the provider's dashboard",
}


def plan_effects(contract: Any, targets: list[Target]) -> tuple[list[Effect], dict[str, str]]:
    """An effect per documented parameter (special measure, else the echo), and why others have none."""
    params = sorted(contract.files["objects/create_request.json"].get("properties") or {})
    effects, skipped = [], {}
    for name in params:
        if name in NOT_MEASURED:
            skipped[name] = NOT_MEASURED[name]
        elif name in SPECIAL:
            effects.append(SPECIAL[name])
        else:
            value = ECHO_VALUES.get(name)
            if value is None or contract.validate("request", {"model": "m", "input": INPUT, name: value}).errors:
                value = next(
                    (
                        t.value
                        for t in targets
                        if t.parameter == name and t.kind == "positive" and t.value not in (None, {}, [], False)
                    ),
                    None,
                )
            if value is None:
                skipped[name] = "no valid value other than the default to compare with"
                continue
            extra = {"tools": [TOOL]} if name in ("parallel_tool_calls", "max_tool_calls") else {}
            effects.append(Effect(name, {name: value}, "echo", control=extra))
    return effects, skipped


_BY_CONTRACT: dict[str, dict[str, Effect]] = {}


def effects_of(contract: Any) -> tuple[list[Effect], dict[str, str]]:
    """The effects planned for a contract (from its request contract and the generation plan)."""
    from .contracts import load_contract
    from .generate import plan

    return plan_effects(contract, plan(contract, load_contract("openai")))


def effect_for(contract: Any, parameter: Any) -> Effect | None:
    """The Effect planned for one parameter of a contract (memoised per contract)."""
    table = _BY_CONTRACT.get(contract.name)
    if table is None:
        table = _BY_CONTRACT[contract.name] = {e.parameter: e for e in effects_of(contract)[0]}
    return table.get(parameter) if isinstance(parameter, str) else None


# --- measures ------------------------------------------------------------------------------------------------


def _usage(resp: dict[str, Any], key: str) -> int | None:
    usage = resp.get("usage") if isinstance(resp.get("usage"), dict) else {}
    v = usage.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _items(resp: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [i for i in resp.get("output") or [] if isinstance(i, dict) and i.get("type") == kind]


def _text_parts(resp: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c
        for m in _items(resp, "message")
        for c in m.get("content") or []
        if isinstance(c, dict) and c.get("type") == "output_text"
    ]


def _echo(effect: Effect, control: dict, varied: dict, cx: Any, vx: Any) -> tuple[str, str]:
    name = effect.parameter
    sent = effect.varied[name]
    if name not in varied:
        return INCONCLUSIVE, f"{name}={short(sent)}: the response does not echo {name}"
    got = varied.get(name)
    if _same(got, sent):
        return APPLIED, f"{name}={short(sent)}: echoed as sent (control echoed {short(control.get(name))})"
    return IGNORED, f"{name}={short(sent)}: echoed {short(got)} instead"


def _same(got: Any, sent: Any) -> bool:
    """The echo holds what was sent: every key sent (the server may add its own), item by item, numbers to 1e-6."""
    if isinstance(sent, dict) and isinstance(got, dict):
        return all(_same(got.get(k), v) for k, v in sent.items())
    if isinstance(sent, list) and isinstance(got, list):
        return len(got) == len(sent) and all(_same(g, v) for g, v in zip(got, sent))
    if isinstance(sent, float) and isinstance(got, (int, float)):
        return abs(got - sent) < 1e-6
    return bool(got == sent)


def _token_cap(effect: Effect, control: dict, varied: dict, cx: Any, vx: Any) -> tuple[str, str]:
    cap = effect.varied["max_output_tokens"]
    c_out, v_out = _usage(control, "output_tokens"), _usage(varied, "output_tokens")
    reason = (
        (varied.get("incomplete_details") or {}).get("reason")
        if isinstance(varied.get("incomplete_details"), dict)
        else None
    )
    shown = f"output_tokens {c_out} -> {v_out}, status {varied.get('status')}" + (f" ({reason})" if reason else "")
    if v_out is not None and v_out > cap:
        return IGNORED, f"max_output_tokens={cap}: {shown}: more tokens than the cap"
    if c_out is not None and v_out is not None and c_out > cap >= v_out:
        return APPLIED, f"max_output_tokens={cap}: {shown}"
    if varied.get("status") == "incomplete" and reason == "max_output_tokens":
        return APPLIED, f"max_output_tokens={cap}: {shown}"
    return INCONCLUSIVE, f"max_output_tokens={cap}: {shown}: the control's answer was not longer than the cap"


def _function_call(effect: Effect, control: dict, varied: dict, cx: Any, vx: Any) -> tuple[str, str]:
    c, v = len(_items(control, "function_call")), len(_items(varied, "function_call"))
    shown = f"function calls: tool_choice none {c}, required {v}"
    if v and not c:
        return APPLIED, shown
    if not v:
        return IGNORED, shown + ": required forced no call"
    return IGNORED, shown + ": none did not prevent a call"


def _logprobs(effect: Effect, control: dict, varied: dict, cx: Any, vx: Any) -> tuple[str, str]:
    vparts, cparts = _text_parts(varied), _text_parts(control)
    has = lambda parts: any(p.get("logprobs") for p in parts)  # noqa: E731
    if not vparts:
        return INCONCLUSIVE, "no output_text part to carry logprobs"
    if has(vparts) and not has(cparts):
        return APPLIED, "include message.output_text.logprobs: output_text parts carry logprobs (control: none)"
    if not has(vparts):
        return IGNORED, "include message.output_text.logprobs: no logprobs on any output_text part"
    return INCONCLUSIVE, "logprobs present with and without include"


def _top_logprobs(effect: Effect, control: dict, varied: dict, cx: Any, vx: Any) -> tuple[str, str]:
    want = effect.varied["top_logprobs"]
    tops = [
        len(lp.get("top_logprobs") or [])
        for p in _text_parts(varied)
        for lp in p.get("logprobs") or []
        if isinstance(lp, dict)
    ]
    if not tops:
        return (
            _echo(effect, control, varied, cx, vx)
            if "top_logprobs" in varied
            else (INCONCLUSIVE, "no logprobs to count alternatives in")
        )
    if max(tops) == want:
        return APPLIED, f"top_logprobs={want}: {want} alternatives per token"
    return IGNORED, f"top_logprobs={want}: {max(tops)} alternatives per token"


def _streamed(effect: Effect, control: dict, varied: dict, cx: Any, vx: Any) -> tuple[str, str]:
    if vx.response.events is not None and cx.response.events is None:
        return APPLIED, f"stream=true: {len(vx.response.events)} events (control: a JSON body)"
    return IGNORED, "stream=true: answered with a JSON body"


def _no_obfuscation(effect: Effect, control: dict, varied: dict, cx: Any, vx: Any) -> tuple[str, str]:
    def count(x: Any) -> int:
        return sum(1 for e in x.response.events or [] if isinstance(e.data, dict) and "obfuscation" in e.data)

    c, v = count(cx), count(vx)
    if not c:
        return INCONCLUSIVE, "the control stream carries no obfuscation either"
    return (
        (APPLIED, f"include_obfuscation=false: obfuscation on {c} -> {v} events")
        if not v
        else (
            IGNORED,
            f"include_obfuscation=false: obfuscation still on {v} events",
        )
    )


def _input_grows(effect: Effect, control: dict, varied: dict, cx: Any, vx: Any) -> tuple[str, str]:
    c, v = _usage(control, "input_tokens"), _usage(varied, "input_tokens")
    echoed = varied.get("previous_response_id")
    if c is None or v is None:
        return INCONCLUSIVE, f"no input_tokens to compare (echoed previous_response_id {short(echoed)})"
    if v > c:
        return APPLIED, f"input_tokens {c} -> {v}: the earlier turn is counted"
    return IGNORED, f"input_tokens {c} -> {v}: the earlier turn is not counted"


def _json_output(effect: Effect, control: dict, varied: dict, cx: Any, vx: Any) -> tuple[str, str]:
    text = "".join(str(p.get("text") or "") for p in _text_parts(varied))
    fmt = ((varied.get("text") or {}).get("format") or {}).get("type") if isinstance(varied.get("text"), dict) else None
    try:
        json.loads(text)
        return APPLIED, f"text.format json_schema: the answer is JSON (format echoed {fmt!r})"
    except ValueError:
        return IGNORED, f"text.format json_schema: the answer is not JSON (format echoed {fmt!r})"


def _background(effect: Effect, control: dict, varied: dict, cx: Any, vx: Any) -> tuple[str, str]:
    status = varied.get("status")
    if status in ("queued", "in_progress") or varied.get("background") is True:
        return APPLIED, f"background=true: status {status}, background echoed {short(varied.get('background'))}"
    return IGNORED, f"background=true: status {status}, background echoed {short(varied.get('background'))}"


MEASURES = {
    "echo": _echo,
    "token_cap": _token_cap,
    "function_call": _function_call,
    "logprobs": _logprobs,
    "top_logprobs": _top_logprobs,
    "streamed": _streamed,
    "no_obfuscation": _no_obfuscation,
    "input_grows": _input_grows,
    "json_output": _json_output,
    "background": _background,
}


def _ok(x: Any) -> bool | None:
    resp = getattr(x, "response", None)
    if resp is None:
        return None
    if resp.status is None:
        return resp.events is not None or None
    return 200 <= resp.status < 300


def judge(effect: Effect, control: Any, varied: Any) -> tuple[str, str]:
    """(verdict, evidence) from the control and the varied exchange."""
    c_ok, v_ok = _ok(control), _ok(varied)
    if not c_ok:
        return INCONCLUSIVE, f"the control request got {_status(control)}"
    if v_ok is False:
        status = varied.response.status
        return (
            (REJECTED, f"{effect.parameter}={short(effect.varied.get(effect.parameter))}: HTTP {status}")
            if (status is not None and 400 <= status < 500)
            else (INCONCLUSIVE, f"the varied request got HTTP {status}")
        )
    if v_ok is None:
        return INCONCLUSIVE, f"the varied request got {_status(varied)}"
    c, v = response_of(control) or {}, response_of(varied) or {}
    if not v:
        return INCONCLUSIVE, "the varied answer carries no response object"
    return MEASURES[effect.measure](effect, c, v, control, varied)


def _status(x: Any) -> str:
    resp = getattr(x, "response", None)
    return "no answer" if resp is None else f"HTTP {resp.status}"
