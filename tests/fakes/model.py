"""The fake's deterministic "model": what it answers is built from the request, so the suites' expectations hold.

A text answer repeats the instructions and every input text of the conversation (earlier turns included); a
json_schema format gets a minimal JSON instance of the schema; a forced tool_choice (required, named, allowed_tools
required) gets a call whose arguments are a minimal instance of the tool's parameters, and `auto` calls a tool only
when the latest user message names it (a word of its name) or says "tool". Tokens are whitespace-separated words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

TAIL = (
    "This answer comes from the respcompat fake model: it repeats the request word for word, "
    "so that every check can find what it looks for."
)


@dataclass
class Answer:
    """One model turn: a message text, or a function call (name + JSON arguments)."""

    kind: str  # "text" | "function_call"
    text: str = ""
    name: str = ""
    arguments: str = ""


def words(text: str) -> int:
    return len(text.split())


def item_texts(item: dict[str, Any]) -> list[str]:
    """The readable text of one input or output item."""
    kind = item.get("type", "message")
    if kind == "message":
        content = item.get("content")
        if isinstance(content, str):
            return [content]
        return [p["text"] for p in content or [] if isinstance(p, dict) and isinstance(p.get("text"), str)]
    if kind == "function_call_output":
        out = item.get("output")
        if isinstance(out, str):
            return [out]
        return [p["text"] for p in out or [] if isinstance(p, dict) and isinstance(p.get("text"), str)]
    return []


def think(
    request: dict[str, Any], context: list[dict[str, Any]], *, use_instructions: bool = True, use_format: bool = True
) -> Answer:
    """The answer to `request` given the conversation items before it (`context` ends with this turn's input)."""
    last = context[-1] if context else {}
    tool = _pick_tool(request, context) if last.get("type") != "function_call_output" else None
    if tool is not None:
        args = instance(tool.get("parameters") or {"type": "object"})
        return Answer(
            "function_call",
            name=str(tool.get("name")),
            arguments=json.dumps(args, separators=(",", ":"), ensure_ascii=False),
        )
    fmt = ((request.get("text") or {}).get("format") or {}) if use_format else {}
    if fmt.get("type") == "json_schema":
        return Answer("text", text=json.dumps(instance(fmt.get("schema") or {}), ensure_ascii=False))
    said = " ".join(t for item in context if item.get("type", "message") == "message" for t in item_texts(item))
    parts = []
    instructions = request.get("instructions") if use_instructions else None
    if isinstance(instructions, str) and instructions:
        parts.append(instructions)
    parts.append(f"You said: {said}")
    if last.get("type") == "function_call_output":
        parts.append(f"The tool returned: {' '.join(item_texts(last))}")
    if fmt.get("type") == "json_object":
        return Answer("text", text=json.dumps({"answer": " ".join(parts)}, ensure_ascii=False))
    parts.append(TAIL)
    return Answer("text", text=" ".join(parts))


def _pick_tool(request: dict[str, Any], context: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The function tool to call: the named one, any when required, under auto only one the user asked for."""
    tools = [t for t in request.get("tools") or [] if isinstance(t, dict) and t.get("type") == "function"]
    choice = request.get("tool_choice") or "auto"
    mode = choice if isinstance(choice, str) else None
    if isinstance(choice, dict) and choice.get("type") == "function":
        return next((t for t in tools if t.get("name") == choice.get("name")), None)
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        allowed = {t.get("name") for t in choice.get("tools") or [] if isinstance(t, dict)}
        tools, mode = [t for t in tools if t.get("name") in allowed], choice.get("mode")
    if not tools or mode not in ("auto", "required"):
        return None
    if mode == "required":
        return tools[0]
    # auto: a call only when the latest user message asks for a tool, so `required` shows as a difference
    asked = next(
        (i for i in reversed(context) if i.get("type", "message") == "message" and i.get("role") == "user"), {}
    )
    said = " ".join(item_texts(asked)).lower()
    for tool in tools:
        parts = [p for p in re.split(r"[^a-z0-9]+", str(tool.get("name")).lower()) if len(p) >= 4]
        if any(p in said for p in parts):
            return tool
    return tools[0] if re.search(r"\btools?\b", said) else None


def cut(text: str, limit: int) -> str:
    """The first `limit` words of `text`, with their original spacing."""
    pieces = chunks(text)
    kept, n = [], 0
    for piece in pieces:
        if piece.strip():
            if n == limit:
                break
            n += 1
        kept.append(piece)
    return "".join(kept).rstrip()


def chunks(text: str) -> list[str]:
    """Stream deltas: each word with the whitespace that follows it; joined they give `text` back."""
    return re.findall(r"\s*\S+\s*", text) or ([text] if text else [])


# --- a minimal JSON instance of a schema ---------------------------------------------------------------------


def instance(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """A small value that satisfies `schema` (object, array, string, integer, number, boolean, enum, const, $ref)."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > 32:
        return {}
    if isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#"):
        return instance(_resolve(root, schema["$ref"]), root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        branches = [b for b in schema.get(key) or [] if isinstance(b, dict) and b.get("type") != "null"]
        if branches:
            return instance(branches[0], root, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            if isinstance(part, dict):
                merged.setdefault("properties", {}).update(part.get("properties") or {})
                merged.setdefault("type", part.get("type"))
        return instance(merged, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        return {name: instance(sub, root, depth + 1) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        n = max(int(schema.get("minItems") or 0), 1)
        if isinstance(schema.get("maxItems"), int):
            n = min(n, schema["maxItems"])
        return [instance(schema.get("items") or {}, root, depth + 1) for _ in range(n)]
    if kind in ("integer", "number"):
        return _number(schema)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema)


def _resolve(root: Any, ref: str) -> Any:
    node = root
    for token in ref.lstrip("#").split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node.get(token, {}) if isinstance(node, dict) else {}
    return node


def _number(schema: dict[str, Any]) -> int:
    low = schema.get("minimum")
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):
        low = int(schema["exclusiveMinimum"]) + 1
    value = int(low) if isinstance(low, (int, float)) and int(low) >= low else (int(low) + 1 if low is not None else 1)
    high = schema.get("maximum")
    if isinstance(schema.get("exclusiveMaximum"), (int, float)):
        high = schema["exclusiveMaximum"] - 1
    if isinstance(high, (int, float)) and value > high:
        value = int(high)
    return value


_FORMATS = {
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "email": "a@example.com",
    "uri": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
}


def _string(schema: dict[str, Any]) -> str:
    value = _FORMATS.get(schema.get("format"), "example")
    if isinstance(schema.get("minLength"), int) and len(value) < schema["minLength"]:
        value = value + "x" * (schema["minLength"] - len(value))
    if isinstance(schema.get("maxLength"), int):
        value = value[: schema["maxLength"]]
    return value
