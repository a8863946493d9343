"""Request validation as OpenAI does it: a bad create is refused with 400 and an error envelope naming the parameter.

The known parameters come from the contract (schemas/openai/objects/create_request.json), not from a list here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container
from functools import lru_cache
from typing import Any

from respcompat import PROJECT_ROOT

from .wire import error, new_id, output_text

KNOWN_MODEL = re.compile(r"^(gpt-|chatgpt-|o\d|codex-|computer-use-|fake-)")
_ROLES = ("user", "assistant", "system", "developer")
_INPUT_PARTS = ("input_text", "input_image", "input_file", "input_audio")


class ApiError(Exception):
    """An answer other than 200: status and JSON body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body["error"]["message"])
        self.status, self.body = status, body


def bad(message: str, param: str | None = None, code: str | None = None, status: int = 400) -> ApiError:
    return ApiError(status, error(message, param, code))


@lru_cache(maxsize=1)
def known_parameters() -> frozenset[str]:
    schema = json.loads((PROJECT_ROOT / "schemas/openai/objects/create_request.json").read_text(encoding="utf-8"))
    return frozenset(schema.get("properties") or ())


@lru_cache(maxsize=1)
def profile_models() -> frozenset[str]:
    """Every provider profile's default model: the fake serves the suites run with any --provider."""
    import yaml

    out = set()
    for path in sorted((PROJECT_ROOT / "providers").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict) and isinstance(data.get("default_model"), str):
            out.add(data["default_model"])
    return frozenset(out)


def model_known(model: str, extra: frozenset[str] | None) -> bool:
    return bool(KNOWN_MODEL.match(model)) or model in profile_models() or model in (extra or ())


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a decimal",
        str: "a string",
        list: "an array",
        dict: "an object",
        type(None): "null",
    }.get(type(value), "a value")


def _expect(body: dict, name: str, kind: type | tuple, what: str) -> None:
    value, kinds = body[name], kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):  # JSON true is no number
        raise bad(
            f"Invalid type for '{name}': expected {what}, but got {_type_name(value)} instead.", name, "invalid_type"
        )


def _range(body: dict, name: str, low: float, high: float | None) -> None:
    if name not in body or body[name] is None:
        return
    _expect(body, name, (int, float), "a decimal")
    value = body[name]
    if value < low:
        raise bad(
            f"Invalid '{name}': decimal below minimum value. Expected a value >= {low:g}, but got {value} instead.",
            name,
            "decimal_below_min_value",
        )
    if high is not None and value > high:
        raise bad(
            f"Invalid '{name}': decimal above maximum value. Expected a value <= {high:g}, but got {value} instead.",
            name,
            "decimal_above_max_value",
        )


def check_create(
    body: Any,
    models: frozenset[str] | None = None,
    *,
    conversations: Container[str] = (),
    prompts: Container[str] = (),
) -> None:
    """Raise ApiError when OpenAI would refuse this create body (`conversations`, `prompts`: the ids that exist)."""
    if not isinstance(body, dict):
        raise bad("We could not parse the JSON body of your request. The OpenAI API expects a JSON object.")
    for name in body:
        if name not in known_parameters():
            raise bad(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    if body.get("model") is None:
        raise bad("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    _expect(body, "model", str, "a string")
    if not model_known(body["model"], models):
        raise bad(f"The requested model '{body['model']}' does not exist.", "model", "model_not_found")
    if body.get("input") is None and not body.get("prompt") and not body.get("conversation"):
        raise bad("Missing required parameter: 'input'.", "input", "missing_required_parameter")
    _range(body, "temperature", 0, 2)
    _range(body, "top_p", 0, 1)
    for name in ("stream", "store", "background", "parallel_tool_calls"):
        if body.get(name) is not None:
            _expect(body, name, bool, "a boolean")
    for name in ("instructions", "previous_response_id", "user", "safety_identifier", "prompt_cache_key"):
        if body.get(name) is not None:
            _expect(body, name, str, "a string")
    if body.get("max_output_tokens") is not None:
        _expect(body, "max_output_tokens", int, "an integer")
        if body["max_output_tokens"] < 16:
            raise bad(
                "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got "
                f"{body['max_output_tokens']} instead.",
                "max_output_tokens",
                "integer_below_min_value",
            )
    if body.get("background") and body.get("store") is False:
        raise bad("Background mode requires store=true.", "background")
    _check_metadata(body.get("metadata"))
    _check_tools(body)
    _check_text(body)
    _check_contract(body)
    _check_references(body, conversations, prompts)


def conversation_id(value: Any) -> str | None:
    """The id a `conversation` parameter names (a string or {id})."""
    return value.get("id") if isinstance(value, dict) else value


def _check_references(body: dict, conversations: Container[str], prompts: Container[str]) -> None:
    """Ids that are well-formed but name nothing the server has: not found, naming the parameter."""
    cid = conversation_id(body.get("conversation"))
    if cid is not None:
        if cid not in conversations:
            raise bad(f"Conversation with id '{cid}' not found.", "conversation", "conversation_not_found", 404)
        if body.get("previous_response_id") is not None:
            raise bad(
                "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or "
                "'conversation'.",
                "conversation",
                "mutually_exclusive_parameters",
            )
    prompt = body.get("prompt")
    if isinstance(prompt, dict) and prompt.get("id") not in prompts:
        raise bad(f"Prompt with id '{prompt.get('id')}' not found.", "prompt", "prompt_not_found", 404)


COMPACT_PARAMETERS = ("model", "input", "previous_response_id", "instructions", "prompt_cache_key")


def check_compact(body: Any, models: frozenset[str] | None = None) -> None:
    """Raise ApiError when OpenAI would refuse this POST /responses/compact body (CompactResponseMethodPublicBody)."""
    if not isinstance(body, dict):
        raise bad("We could not parse the JSON body of your request. The OpenAI API expects a JSON object.")
    for name in body:
        if name not in COMPACT_PARAMETERS:
            raise bad(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    if body.get("model") is None:
        raise bad("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    _expect(body, "model", str, "a string")
    if not model_known(body["model"], models):
        raise bad(f"The requested model '{body['model']}' does not exist.", "model", "model_not_found")
    for name in ("instructions", "previous_response_id", "prompt_cache_key"):
        if body.get(name) is not None:
            _expect(body, name, str, "a string")


def _check_contract(body: dict) -> None:
    """Whatever the specific checks above let through is held to the contract's request schema."""
    from respcompat.contracts import load_contract

    errors = load_contract("openai").validate("request", body).errors
    if errors:
        tokens = [t for t in errors[0].pointer.split("/")[1:]]
        param = tokens[0] + "".join(f"[{t}]" if t.isdigit() else f".{t}" for t in tokens[1:]) if tokens else None
        raise bad(f"Invalid value for '{param}': {errors[0].message}.", param, "invalid_value")


def _check_metadata(metadata: Any) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise bad(
            f"Invalid type for 'metadata': expected an object, but got {_type_name(metadata)} instead.",
            "metadata",
            "invalid_type",
        )
    if len(metadata) > 16:
        raise bad(
            "Invalid 'metadata': too many properties. Expected an object with at most 16 properties.",
            "metadata",
            "object_above_max_properties",
        )
    for key, value in metadata.items():
        if not isinstance(value, str) or len(value) > 512 or len(key) > 64:
            raise bad(
                f"Invalid 'metadata.{key}': expected a string of at most 512 characters.",
                f"metadata.{key}",
                "invalid_value",
            )


def _check_tools(body: dict) -> None:
    tools = body.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise bad(
            f"Invalid type for 'tools': expected an array, but got {_type_name(tools)} instead.",
            "tools",
            "invalid_type",
        )
    names = set()
    for i, tool in enumerate(tools or []):
        if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
            raise bad(
                f"Missing required parameter: 'tools[{i}].type'.", f"tools[{i}].type", "missing_required_parameter"
            )
        if tool["type"] == "function":
            if not isinstance(tool.get("name"), str) or not tool["name"]:
                raise bad(
                    f"Missing required parameter: 'tools[{i}].name'.", f"tools[{i}].name", "missing_required_parameter"
                )
            if tool.get("parameters") is not None and not isinstance(tool["parameters"], dict):
                raise bad(
                    f"Invalid type for 'tools[{i}].parameters': expected an object.",
                    f"tools[{i}].parameters",
                    "invalid_type",
                )
            names.add(tool["name"])
    choice = body.get("tool_choice")
    if choice is None:
        return
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required"):
            raise bad(
                f"Invalid value: '{choice}'. Supported values are: 'none', 'auto', and 'required'.",
                "tool_choice",
                "invalid_value",
            )
    elif not isinstance(choice, dict) or not isinstance(choice.get("type"), str):
        raise bad("Invalid type for 'tool_choice': expected a string or an object.", "tool_choice", "invalid_type")
    elif choice["type"] == "function" and choice.get("name") not in names:
        raise bad(f"Tool choice '{choice.get('name')}' not found in 'tools' parameter.", "tool_choice")


def _check_text(body: dict) -> None:
    text = body.get("text")
    if text is None:
        return
    if not isinstance(text, dict):
        raise bad(
            f"Invalid type for 'text': expected an object, but got {_type_name(text)} instead.", "text", "invalid_type"
        )
    fmt = text.get("format")
    if fmt is None:
        return
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if kind not in ("text", "json_object", "json_schema"):
        raise bad(
            f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object', and 'json_schema'.",
            "text.format.type",
            "invalid_value",
        )
    if kind == "json_schema":
        for name in ("name", "schema"):
            if fmt.get(name) is None:
                raise bad(
                    f"Missing required parameter: 'text.format.{name}'.",
                    f"text.format.{name}",
                    "missing_required_parameter",
                )
        if not isinstance(fmt["schema"], dict):
            raise bad(
                "Invalid type for 'text.format.schema': expected an object.", "text.format.schema", "invalid_type"
            )


# --- input items ---------------------------------------------------------------------------------------------


def input_items(value: Any) -> list[dict[str, Any]]:
    """The create's `input` as stored items with ids (what input_items lists); raises ApiError on a bad item."""
    if value is None:
        return []
    if isinstance(value, str):
        return [_message("user", value, 0)]
    if not isinstance(value, list):
        raise bad(
            f"Invalid type for 'input': expected a string or an array, but got {_type_name(value)} instead.",
            "input",
            "invalid_type",
        )
    items = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise bad(
                f"Invalid type for 'input[{i}]': expected an object, but got {_type_name(entry)} instead.",
                f"input[{i}]",
                "invalid_type",
            )
        kind = entry.get("type", "message")
        if kind == "message":
            items.append(_message(entry.get("role"), entry.get("content"), i))
        elif kind == "function_call":
            for name in ("call_id", "name", "arguments"):
                if not isinstance(entry.get(name), str):
                    raise bad(
                        f"Missing required parameter: 'input[{i}].{name}'.",
                        f"input[{i}].{name}",
                        "missing_required_parameter",
                    )
            items.append(
                {
                    "id": entry.get("id") or new_id("fc"),
                    "type": "function_call",
                    "status": "completed",
                    "arguments": entry["arguments"],
                    "call_id": entry["call_id"],
                    "name": entry["name"],
                }
            )
        elif kind == "function_call_output":
            if not isinstance(entry.get("call_id"), str) or entry.get("output") is None:
                raise bad(
                    f"Missing required parameter: 'input[{i}].call_id'.",
                    f"input[{i}].call_id",
                    "missing_required_parameter",
                )
            items.append(
                {
                    "id": entry.get("id") or new_id("fco"),
                    "type": "function_call_output",
                    "status": "completed",
                    "call_id": entry["call_id"],
                    "output": entry["output"],
                }
            )
        elif kind == "reasoning":
            items.append(
                {"id": entry.get("id") or new_id("rs"), "type": "reasoning", "summary": entry.get("summary") or []}
            )
        else:
            raise bad(
                f"Invalid value: '{kind}'. The fake supports message, function_call, function_call_output "
                "and reasoning input items.",
                f"input[{i}].type",
                "invalid_value",
            )
    return items


def _message(role: Any, content: Any, i: int) -> dict[str, Any]:
    if role not in _ROLES:
        raise bad(
            f"Invalid value: '{role}'. Supported values are: 'user', 'assistant', 'system', and 'developer'.",
            f"input[{i}].role",
            "invalid_value",
        )
    if isinstance(content, str):
        parts = [output_text(content) if role == "assistant" else {"type": "input_text", "text": content}]
    elif isinstance(content, list) and all(isinstance(p, dict) for p in content):
        parts = []
        for j, p in enumerate(content):
            allowed = ("output_text", "refusal") if role == "assistant" else _INPUT_PARTS
            if p.get("type") not in allowed:
                raise bad(
                    f"Invalid value: '{p.get('type')}'. Supported values are: {', '.join(allowed)}.",
                    f"input[{i}].content[{j}].type",
                    "invalid_value",
                )
            parts.append(output_text(p.get("text", "")) if p["type"] == "output_text" else dict(p))
    else:
        raise bad(
            f"Invalid type for 'input[{i}].content': expected a string or an array.",
            f"input[{i}].content",
            "invalid_type",
        )
    return {"id": new_id("msg"), "type": "message", "status": "completed", "content": parts, "role": role}
