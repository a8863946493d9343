"""Bounded renderings of provider data for messages and findings: never serialise more than is shown.

A body may be enormous, deeply nested or a YAML alias bomb (a DAG that unfolds exponentially); `json.dumps`
then `[:200]` would walk all of it. These helpers walk the value lazily and stop at the limit.
"""

from __future__ import annotations

import json
from typing import Any

ELLIPSIS = "..."


def _scalar(v: Any, room: int) -> str:
    """JSON text of one scalar, encoding at most about `room` characters of a string."""
    if isinstance(v, str):
        return json.dumps(v[: room + 1], ensure_ascii=False)
    if v is None or isinstance(v, (bool, int, float)):
        try:
            return json.dumps(v)
        except (ValueError, OverflowError):
            return str(v)[: room + 1]
    try:
        text = str(v)  # not JSON (a date from YAML, bytes): its str, like json.dumps(default=str)
    except Exception:  # a hostile __str__ must not break a message
        text = f"<{type(v).__name__}>"
    return json.dumps(text[: room + 1], ensure_ascii=False)


def render(value: Any, limit: int) -> tuple[str, bool]:
    """(text, complete): JSON-like text of `value`, cut after `limit` characters; complete=False when cut."""
    out: list[str] = []
    size = 0
    # A stack of pending work: values to render or literal text; explicit so deep nesting cannot recurse.
    stack: list[tuple[bool, Any]] = [(False, value)]
    while stack:
        if size > limit:
            return "".join(out)[:limit] + ELLIPSIS, False
        literal, item = stack.pop()
        if literal:
            piece = item
        elif isinstance(item, dict):
            if not item:
                piece = "{}"
            else:
                pending: list[tuple[bool, Any]] = [(True, "}")]
                entries = list(item.items()) if len(item) <= limit else _head(item.items(), limit)
                for n, (k, v) in enumerate(reversed(entries)):
                    pending.append((False, v))
                    key = k if isinstance(k, str) else _scalar(k, limit).strip('"')  # as json.dumps keys
                    pending.append((True, json.dumps(key[: limit + 1], ensure_ascii=False) + ": "))
                    if n < len(entries) - 1:
                        pending.append((True, ", "))
                pending.append((True, "{"))
                stack.extend(pending)
                continue
        elif isinstance(item, (list, tuple)):
            if not item:
                piece = "[]"
            else:
                entries = list(item[: limit + 1])
                pending = [(True, "]")]
                for n, v in enumerate(reversed(entries)):
                    pending.append((False, v))
                    if n < len(entries) - 1:
                        pending.append((True, ", "))
                pending.append((True, "["))
                stack.extend(pending)
                continue
        else:
            piece = _scalar(item, limit - size)
        out.append(piece)
        size += len(piece)
    text = "".join(out)
    if len(text) > limit:
        return text[:limit] + ELLIPSIS, False
    return text, True


def _head(pairs, n: int) -> list:
    out: list = []
    for p in pairs:
        if len(out) > n:
            break
        out.append(p)
    return out


def preview(value: Any, limit: int = 200) -> str:
    """JSON-like text of `value`, at most `limit` characters (plus "..." when cut); a str is shown as JSON."""
    return render(value, limit)[0]


def clip(value: Any, limit: int = 200) -> Any:
    """`value` itself when its rendering fits in `limit` characters, else a bounded preview string.

    Findings copy instance data into expected/actual; small values stay as they are (the JSON report and the
    tests compare them), big ones become a cut rendering. A big string is cut as text, not as JSON.
    """
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + ELLIPSIS
    text, complete = render(value, limit)
    return value if complete else text
