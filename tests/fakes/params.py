"""The one-parameter faults (crash-on, accept-invalid, reject-valid, ignore-param, error-no-param) and the dotted
parameter paths they name (`temperature`, `reasoning.effort`, `include[0]`), as OpenAI's error.param spells them."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from .faults import values
from .validate import ApiError, bad
from .wire import error

_MISSING = object()


def tokens(path: str) -> list[str | int]:
    """`tools[0].name` -> ["tools", 0, "name"]."""
    return [int(t) if t.isdigit() else t for t in re.findall(r"[^.\[\]]+", path)]


def _holds(doc: Any, key: str | int) -> bool:
    """Whether `doc[key]` exists: a key of an object, or an index of an array."""
    if isinstance(key, int):
        return isinstance(doc, list) and key < len(doc)
    return isinstance(doc, dict) and key in doc


def get(doc: Any, path: str) -> Any:
    """The value at `path`, or _MISSING."""
    for t in tokens(path):
        if not _holds(doc, t):
            return _MISSING
        doc = doc[t]
    return doc


def has(doc: Any, path: str) -> bool:
    return get(doc, path) is not _MISSING


def remove(doc: Any, path: str) -> None:
    *head, last = tokens(path)
    parent = get(doc, ".".join(str(t) for t in head)) if head else doc
    if _holds(parent, last):
        del parent[last]


def put(doc: Any, path: str, value: Any) -> None:
    """Set `path` to `value` where the response echoes the parameter and `path`'s parent exists."""
    if not isinstance(doc, dict) or tokens(path)[0] not in doc:
        return
    *head, last = tokens(path)
    parent = get(doc, ".".join(str(t) for t in head)) if head else doc
    if isinstance(parent, dict) and isinstance(last, str) or _holds(parent, last):
        parent[last] = copy.deepcopy(value)


def names(param: str | None, path: str) -> bool:
    """Whether an error about `param` is an error about `path` (itself or something inside it)."""
    return param is not None and (param == path or param.startswith((path + ".", path + "[")))


def target(spec: str) -> tuple[str, Any]:
    """`temperature:0.5` -> ("temperature", 0.5); a value that is not JSON is the string itself; no value: _MISSING."""
    path, colon, raw = spec.partition(":")
    if not colon:
        return path.strip(), _MISSING
    try:
        return path.strip(), json.loads(raw)
    except ValueError:
        return path.strip(), raw


def same(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is no number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _hit(body: Any, spec: str) -> str | None:
    path, value = target(spec)
    got = get(body, path)
    if got is _MISSING or got is None and value is _MISSING:
        return None
    return path if value is _MISSING or same(got, value) else None


def crash(faults: dict[str, str | None], body: Any) -> None:
    """crash-on: a 500, as a server whose handler raised on that value."""
    for spec in values(faults, "crash-on"):
        if _hit(body, spec):
            raise ApiError(500, error("The server had an error while processing your request.", type_="server_error"))


def reject(faults: dict[str, str | None], body: Any) -> None:
    """reject-valid: that value refused as if the contract did not allow it."""
    for spec in values(faults, "reject-valid"):
        path = _hit(body, spec)
        if path:
            value = json.dumps(get(body, path), ensure_ascii=False)
            raise bad(f"Invalid value for '{path}': {value} is not supported.", path, "unsupported_value")


def ignore(faults: dict[str, str | None], body: dict[str, Any]) -> dict[str, Any]:
    """ignore-param: the body the server acts on, without the parameters it ignores."""
    paths = values(faults, "ignore-param")
    if not paths:
        return body
    body = copy.deepcopy(body)
    for path in paths:
        remove(body, path)
    return body


# What a lenient server acts on in place of a required parameter it let through (the fake needs some value).
STAND_INS = {"model": "fake-model", "input": ""}


def drop(body: dict[str, Any], path: str) -> None:
    """Take `path` out of the body the server acts on (a required parameter gets a stand-in)."""
    if path in STAND_INS:
        body[path] = STAND_INS[path]
    else:
        remove(body, path)


def lenient(faults: dict[str, str | None], exc: ApiError, body: Any) -> str | None:
    """accept-invalid: the parameter path whose refusal `exc` is and the server lets through, else None."""
    if exc.status >= 500:
        return None
    param = exc.body["error"].get("param")
    for path in values(faults, "accept-invalid"):
        if names(param, path) and has(body, path) and get(body, path) != STAND_INS.get(path, _MISSING):
            return path
    return None


def anonymous(body: dict[str, Any]) -> dict[str, Any]:
    """error-no-param: the error without `param`, and a message that names nothing."""
    err = {k: v for k, v in body["error"].items() if k != "param"}
    if body["error"].get("param") is not None:
        err["message"] = "The request is invalid."
    return {"error": err}
