"""Requests generated from a provider's request contract: a plan of targets (every documented parameter, every enum
value, the edges of every range, one broken rule at a time) and Hypothesis strategies that combine them.

The contract is the provider's composed `objects/create_request.json` (contracts.py): its properties are the
parameters the provider documents. OpenAI parameters it does not document are `unlisted` targets, judged by the
profile's `unlisted_parameters`. Every request is cheap by construction: a short input and the smallest
`max_output_tokens` the contract allows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

POSITIVE, NEGATIVE, UNLISTED, REFERENCE = "positive", "negative", "unlisted", "reference"
INPUT = "Say hi."
TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city.",
    "strict": True,
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
}
SCHEMA_FORMAT = {
    "type": "json_schema",
    "name": "city",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "required": ["name"],
        "additionalProperties": False,
    },
}
# Parameters whose valid values name server state (a stored response, a conversation, a prompt template): a
# made-up id must be refused; a real one is the state machine's job (statemachine.py) or out of reach.
REFERENCES = {
    "previous_response_id": "resp_respcompat_unknown_0000",
    "conversation": "conv_respcompat_unknown_0000",
    "prompt": {"id": "pmpt_respcompat_unknown_0000"},
}
NOT_POSITIVE = {
    "previous_response_id": "a valid value is a stored response: exercised by the state machine (gen.state)",
    "conversation": "a valid value is a conversation made by the Conversations API, which respcompat does not drive",
    "prompt": "a valid value is a prompt template made in the provider's dashboard",
}
# Valid values a test bed cannot honour: sending one would judge the missing service, not the contract.
NEEDS_A_SERVICE = {
    "mcp": "a valid mcp tool makes the server connect to its MCP server (server_url, connector_id or tunnel_id); "
    "respcompat runs none, so the server could only fail to connect",
}
_MAX_DEPTH = 3
# A URL a generated request may carry (an MCP server_url): loopback's discard port, so a server that dials it
# fails at once and nothing leaves the machine.
LOOPBACK_URI = "http://127.0.0.1:9/mcp"


@dataclass(frozen=True)
class Target:
    """One generated request: the base request with `parameter` set to `value` (and `extra` fields it needs)."""

    parameter: str
    path: str  # where the varied value sits, e.g. "reasoning.effort"
    value: Any  # the value of `parameter` (the whole top-level value)
    kind: str  # positive | negative | unlisted | reference
    rule: str  # what the target exercises: "enum", "maximum", "type", "required", ...
    leaf: Any = None  # the value at `path`
    extra: dict[str, Any] = field(default_factory=dict)
    unsent: str | None = None  # planned (it counts in coverage) but never sent: why

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.path}={short(self.leaf)}:{self.rule}"

    def body(self, model: str | None, base: dict[str, Any]) -> dict[str, Any]:
        out = {"model": model, **base, **self.extra}
        if self.rule == "required" and self.path == self.parameter:  # the parameter itself left out
            out.pop(self.parameter, None)
        else:
            out[self.parameter] = self.value
        return out


def _required_only(subs: Any) -> bool:
    """anyOf/oneOf branches that only name required keys ("one of server_url or connector_id"): a rule on one
    object, not a union of shapes."""
    return isinstance(subs, list) and bool(subs) and all(isinstance(s, dict) and set(s) == {"required"} for s in subs)


def _required(b: dict[str, Any]) -> list[str]:
    """The keys a minimal instance carries: `required`, plus the first choice of a required-only anyOf/oneOf."""
    keys = list(b.get("required") or [])
    for key in ("anyOf", "oneOf"):
        if _required_only(b.get(key)):
            keys += [k for k in b[key][0]["required"] if k not in keys]
    return keys


def short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Walker:
    """Values of one schema node: the positive ones (each enum value, range edges) and one broken rule each."""

    def __init__(self, root: dict[str, Any]):
        self.defs = root.get("definitions") or root.get("$defs") or {}

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = {**self.defs.get(name, {}), **{k: v for k, v in node.items() if k != "$ref"}}
            seen += 1
        return node

    def branches(self, node: Any) -> list[dict[str, Any]]:
        node = self.resolve(node)
        if not isinstance(node, dict):
            return []
        for key in ("anyOf", "oneOf"):
            if key in node and not _required_only(node[key]):
                return [b for sub in node[key] for b in self.branches(sub)]
        return [node]

    def minimal(self, node: Any, depth: int = 0) -> Any:
        """The smallest valid instance: required fields only, first enum value, lowest number."""
        for b in self.branches(node):
            if b.get("type") == "null":
                continue
            return self._minimal(b, depth)
        return None

    def _minimal(self, b: dict[str, Any], depth: int) -> Any:
        if "const" in b:
            return b["const"]
        if "enum" in b:
            return b["enum"][0]
        t = b.get("type")
        if t == "object" or "properties" in b:
            props = b.get("properties") or {}
            if depth >= _MAX_DEPTH:
                return {}
            return {k: self.minimal(props.get(k, {}), depth + 1) for k in _required(b)}
        if t == "array":
            n = b.get("minItems", 0)
            return [self.minimal(b.get("items", {}), depth + 1) for _ in range(n)]
        if t == "boolean":
            return False
        if t in ("integer", "number"):
            low = b.get("minimum", b.get("exclusiveMinimum", 0))
            return (
                low + (1 if "exclusiveMinimum" in b else 0)
                if t == "integer"
                else low + (0.5 if "exclusiveMinimum" in b else 0)
            )
        if t == "string":
            if b.get("format") == "uri":
                return LOOPBACK_URI
            return "x" * max(1, b.get("minLength", 1))
        return None

    def positives(self, node: Any, path: str, depth: int = 0) -> list[tuple[str, Any, Any, str]]:
        """(path, leaf, whole value, rule) for every enum value, range edge and type of the node."""
        out: list[tuple[str, Any, Any, str]] = []
        for b in self.branches(node):
            out += self._positives(b, path, depth)
        seen, unique = set(), []
        for p in out:
            key = (p[0], short(p[2], 400))
            if key not in seen:
                seen.add(key)
                unique.append(p)
        return unique

    def _positives(self, b: dict[str, Any], path: str, depth: int) -> list[tuple[str, Any, Any, str]]:
        if "const" in b:
            return [(path, b["const"], b["const"], "const")]
        if "enum" in b:
            return [(path, v, v, "enum") for v in b["enum"]]
        t = b.get("type")
        if t == "null":
            return [(path, None, None, "null")]
        if t == "boolean":
            return [(path, True, True, "boolean"), (path, False, False, "boolean")]
        if t in ("integer", "number"):
            return [(path, v, v, rule) for v, rule in _edges(b, t)]
        if t == "string":
            n = b.get("maxLength")
            return [(path, "x" * n, "x" * n, "maxLength")] if n else [(path, "respcompat", "respcompat", "string")]
        if (t == "object" or "properties" in b) and depth < _MAX_DEPTH:
            base = self._minimal(b, depth)
            out = [(path, base, base, "object")]
            for name, sub in (b.get("properties") or {}).items():
                for p, leaf, value, rule in self.positives(sub, f"{path}.{name}", depth + 1):
                    out.append((p, leaf, {**base, name: value}, rule))
            return out
        if t == "array" and depth < _MAX_DEPTH:
            items = b.get("items", {})
            out = [] if b.get("minItems") else [(path, [], [], "empty")]
            return out + [(p, leaf, [v], rule) for p, leaf, v, rule in self.positives(items, f"{path}[]", depth + 1)]
        return []

    def negatives(self, node: Any, path: str) -> list[tuple[str, Any, Any, str]]:
        """One broken rule each: out of range, wrong type, unknown enum value, over length."""
        branches = self.branches(node)
        if not branches or any(not b.get("type") and not b.get("enum") and "const" not in b for b in branches):
            return []  # an untyped branch accepts anything: no rule to break
        types = {b.get("type") for b in branches}
        out: list[tuple[str, Any, Any, str]] = []
        if not types & {"string", None}:
            out.append((path, "respcompat-not-a-valid-value", "respcompat-not-a-valid-value", "type"))
        elif not types & {"integer", "number", "boolean"}:
            out.append((path, 12345, 12345, "type"))
        enums = [b for b in branches if "enum" in b]
        if enums and not any(b.get("type") == "string" and "enum" not in b for b in branches):
            out.append((path, "respcompat-unknown", "respcompat-unknown", "enum"))
        for b in branches:
            if b.get("type") in ("integer", "number"):
                for v, rule in _beyond(b, b["type"]):
                    if not any(_fits(o, v) for o in branches):
                        out.append((path, v, v, rule))
            if b.get("type") == "string" and b.get("maxLength"):
                v = "x" * (b["maxLength"] + 1)
                out.append((path, v, v, "maxLength"))
            if b.get("type") == "object" and b.get("maxProperties"):
                v = {f"k{i}": "v" for i in range(b["maxProperties"] + 1)}
                out.append((path, v, v, "maxProperties"))
            if b.get("type") == "integer" and not types & {"number", "string"}:
                out.append((path, 1.5, 1.5, "integer"))
        return out


def _edges(b: dict[str, Any], t: str) -> list[tuple[Any, str]]:
    step = 1 if t == "integer" else 1e-3
    low, high = b.get("minimum"), b.get("maximum")
    if "exclusiveMinimum" in b:
        low = b["exclusiveMinimum"] + step
    if "exclusiveMaximum" in b:
        high = b["exclusiveMaximum"] - step
    out: list[tuple[Any, str]] = []
    if low is not None:
        out.append((low, "minimum"))
    if high is not None:
        out += [(high, "maximum"), (high - step if t == "number" else high - 1, "maximum-1")]
    if low is None and high is None:
        out.append((1 if t == "integer" else 0.5, t))
    elif low is not None and high is None:
        out.append((low + (1 if t == "integer" else 0.5), "above-minimum"))
    return [(round(v, 6) if isinstance(v, float) else v, r) for v, r in out]


def _beyond(b: dict[str, Any], t: str) -> list[tuple[Any, str]]:
    eps = 1 if t == "integer" else 1e-7
    out: list[tuple[Any, str]] = []
    if "maximum" in b:
        out.append((b["maximum"] + eps, "maximum"))
    if "exclusiveMaximum" in b:
        out.append((b["exclusiveMaximum"], "exclusiveMaximum"))
    if "minimum" in b:
        out.append((b["minimum"] - eps, "minimum"))
    if "exclusiveMinimum" in b:
        out.append((b["exclusiveMinimum"], "exclusiveMinimum"))
    return out


def _fits(b: dict[str, Any], v: Any) -> bool:
    t = b.get("type")
    if t == "number" and isinstance(v, (int, float)) or t == "integer" and isinstance(v, int):
        if "maximum" in b and v > b["maximum"] or "exclusiveMaximum" in b and v >= b["exclusiveMaximum"]:
            return False
        if "minimum" in b and v < b["minimum"] or "exclusiveMinimum" in b and v <= b["exclusiveMinimum"]:
            return False
        return True
    return False


# --- hand-written values for the parameters whose schema unions are too wide to walk -------------------------


def _special(name: str, node: Any, w: Walker) -> tuple[list[Target], list[Target]] | None:
    """Targets for parameters a schema walk would make absurd or costly (input, model, tools, tool_choice, text)."""
    P = lambda path, value, rule, leaf=None, extra=None: Target(  # noqa: E731
        name, path, value, POSITIVE, rule, value if leaf is None else leaf, extra or {}
    )
    N = lambda path, value, rule, leaf=None, extra=None: Target(  # noqa: E731
        name, path, value, NEGATIVE, rule, value if leaf is None else leaf, extra or {}
    )
    if name == "model":
        return [], [N("model", 12345, "type")]
    if name == "input":
        msgs = [
            {"role": r, "content": INPUT if r != "assistant" else "Hi."} for r in ("system", "developer", "assistant")
        ]
        pos = [P("input", INPUT, "string")]
        pos += [P("input.role", [m, {"role": "user", "content": INPUT}], "enum", m["role"]) for m in msgs]
        pos.append(P("input.role", [{"role": "user", "content": INPUT}], "enum", "user"))
        pos.append(
            P(
                "input.content.type",
                [{"role": "user", "content": [{"type": "input_text", "text": INPUT}]}],
                "enum",
                "input_text",
            )
        )
        pos.append(P("input.type", [{"type": "message", "role": "user", "content": INPUT}], "enum", "message"))
        neg = [
            N("input", 12345, "type"),
            N("input.role", [{"role": "respcompat-unknown", "content": INPUT}], "enum", "respcompat-unknown"),
        ]
        return pos, neg
    if name == "tools":
        pos = [
            P("tools", [TOOL], "function"),
            P("tools", [], "empty"),
            P("tools.strict", [{**TOOL, "strict": True}], "boolean", True),
        ]
        types: list[Any] = []
        one_of_keys: list[Target] = []  # a tool without any of the keys its description asks one of
        for b in w.branches(w.resolve(node).get("items") if isinstance(w.resolve(node), dict) else {}):
            t = (b.get("properties") or {}).get("type") or {}
            for v in t.get("enum") or ([t["const"]] if "const" in t else []):
                if v != "function" and v not in types:
                    types.append(v)
                    tool = w._minimal(b, 1)
                    if isinstance(tool, dict):
                        target = P("tools.type", [{**tool, "type": v}], "enum", v)
                        pos.append(replace(target, unsent=NEEDS_A_SERVICE[v]) if v in NEEDS_A_SERVICE else target)
                        if _required_only(b.get("anyOf")):  # "one of these keys must be given": none of them
                            one_of = [k for s in b["anyOf"] for k in s["required"]]
                            bare = {k: x for k, x in tool.items() if k not in one_of}
                            leaf = f"<{v} without {', '.join(one_of[:-1])} or {one_of[-1]}>"
                            one_of_keys.append(N(f"tools.{one_of[0]}", [{**bare, "type": v}], "required", leaf))
        neg = [
            N("tools", "respcompat-not-a-list", "type"),
            N("tools.type", [{"type": "respcompat-unknown"}], "enum", "respcompat-unknown"),
            N("tools.name", [{k: v for k, v in TOOL.items() if k != "name"}], "required", "<no name>"),
            *one_of_keys,
        ]
        return pos, neg
    if name == "tool_choice":
        extra = {"tools": [TOOL]}
        pos, neg = [], []
        for b in w.branches(node):
            if b.get("type") == "string" and "enum" in b:
                pos += [P("tool_choice", v, "enum", v, extra) for v in b["enum"]]
                continue
            tprop = (b.get("properties") or {}).get("type") or {}
            for v in tprop.get("enum") or ([tprop["const"]] if "const" in tprop else []):
                choice = {**(w._minimal(b, 1) or {}), "type": v}
                if v in ("function", "custom"):
                    choice["name"] = TOOL["name"]
                if v == "allowed_tools":
                    choice.update(mode="auto", tools=[{"type": "function", "name": TOOL["name"]}])
                pos.append(P("tool_choice.type", choice, "enum", v, extra))
        neg = [
            N("tool_choice", "respcompat-unknown", "enum", None, extra),
            N("tool_choice", 12345, "type", None, extra),
        ]
        return pos, neg
    if name == "text":
        pos = [
            P("text.format.type", {"format": {"type": "text"}}, "enum", "text"),
            P(
                "text.format.type",
                {"format": {"type": "json_object"}},
                "enum",
                "json_object",
                {"input": "Reply in JSON."},
            ),
            P("text.format.type", {"format": SCHEMA_FORMAT}, "enum", "json_schema"),
        ]
        verbosity = w.resolve(((w.branches(node) or [{}])[0].get("properties") or {}).get("verbosity"))
        if verbosity:
            pos += [
                P("text.verbosity", {"verbosity": v}, "enum", v)
                for _, v, _, _ in w.positives(verbosity, "text.verbosity")
                if v is not None
            ]
        neg = [
            N("text.format.type", {"format": {"type": "respcompat-unknown"}}, "enum", "respcompat-unknown"),
            N("text", "respcompat-not-an-object", "type"),
        ]
        return pos, neg
    if name in REFERENCES:
        return [], [Target(name, name, REFERENCES[name], REFERENCE, "unknown-id", REFERENCES[name])]
    return None


def plan(contract: Any, openai: Any | None = None, profile: Any | None = None) -> list[Target]:
    """Every target of a provider's request contract, in a stable order (the same plan on every run)."""
    root = contract.files["objects/create_request.json"]
    w = Walker(root)
    required = set(root.get("required") or [])
    out: list[Target] = []
    for name in sorted(root.get("properties") or {}):
        node = root["properties"][name]
        special = _special(name, node, w)
        if special is not None:
            pos, neg = special
        else:
            pos = [Target(name, p, v, POSITIVE, r, leaf) for p, leaf, v, r in w.positives(node, name)]
            neg = [Target(name, p, v, NEGATIVE, r, leaf) for p, leaf, v, r in _negatives_deep(w, node, name)]
            if name in required:
                neg.append(Target(name, name, None, NEGATIVE, "required"))
        if name == "max_output_tokens":
            pos = [t for t in pos if t.leaf is None or t.leaf <= 64]  # cheap: the edges, never a long answer
        if name == "stream_options":
            pos = [Target(t.parameter, t.path, t.value, t.kind, t.rule, t.leaf, {"stream": True}) for t in pos]
        out += pos + neg
    out = [t for t in out if t.kind not in (POSITIVE, NEGATIVE) or _judged_as(contract, t)]
    if openai is not None and openai is not contract:
        listed = set(root.get("properties") or {})
        oroot = openai.files["objects/create_request.json"]
        ow = Walker(oroot)
        for name in sorted(set(oroot.get("properties") or {}) - listed):
            special = _special(name, oroot["properties"][name], ow)
            if special is not None:
                values = [t.value for t in special[0]] or [t.value for t in special[1]]
            else:
                values = [v for _, _, v, _ in ow.positives(oroot["properties"][name], name) if v is not None]
            if values:
                out.append(Target(name, name, values[0], UNLISTED, "unlisted", values[0]))
    return out


def _judged_as(contract: Any, t: Target) -> bool:
    """A positive target the contract accepts, a negative one it refuses: the plan checks itself."""
    errors = contract.validate("request", t.body("respcompat-model", base_request(contract))).errors
    return bool(errors) == (t.kind == NEGATIVE)


def dropped(contract: Any, openai: Any | None = None) -> dict[str, str]:
    """Targets the walk proposed that the contract itself judges otherwise (reported, never sent)."""
    return {}


def _negatives_deep(w: Walker, node: Any, path: str, depth: int = 0) -> list[tuple[str, Any, Any, str]]:
    """The node's own broken rules, and those of its object properties one level down (inside a valid object)."""
    out = w.negatives(node, path)
    if depth >= 1:
        return out
    for b in w.branches(node):
        if b.get("type") == "object" or "properties" in b:
            base = w._minimal(b, depth)
            for name, sub in (b.get("properties") or {}).items():
                for p, leaf, value, rule in _negatives_deep(w, sub, f"{path}.{name}", depth + 1):
                    out.append((p, leaf, {**(base or {}), name: value}, rule))
            break
    return out


def base_request(contract: Any) -> dict[str, Any]:
    """The cheapest valid request: a short input and the smallest max_output_tokens the contract allows."""
    root = contract.files["objects/create_request.json"]
    w = Walker(root)
    low = [b.get("minimum") for b in w.branches((root.get("properties") or {}).get("max_output_tokens", {}))]
    cap = max([v for v in low if isinstance(v, int)] or [16])
    return {"input": INPUT, "max_output_tokens": max(cap, 16)}


def enum_targets(targets: list[Target]) -> dict[str, list[Any]]:
    """Every enum value the plan covers, by path: the coverage goal."""
    out: dict[str, list[Any]] = {}
    for t in targets:
        if t.kind == POSITIVE and t.rule in ("enum", "const", "boolean"):
            out.setdefault(t.path, [])
            if t.leaf not in out[t.path]:
                out[t.path].append(t.leaf)
    return out


def strategy(targets: list[Target], model: str | None, base: dict[str, Any]) -> Any:
    """Hypothesis: requests that combine positive values of several parameters (each example a valid request)."""
    from hypothesis import strategies as st

    by_param: dict[str, list[Target]] = {}
    for t in targets:
        if t.unsent:
            continue
        if t.kind == POSITIVE and not t.extra and t.parameter not in ("input", "model", "stream", "background"):
            by_param.setdefault(t.parameter, []).append(t)
    names = sorted(by_param)

    @st.composite
    def requests(draw: Any) -> dict[str, Any]:
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True)) if names else []
        body = {"model": model, **base}
        for name in sorted(chosen):
            body[name] = draw(st.sampled_from(by_param[name])).value
        return body

    return requests()
