"""JSON from untrusted files with its nesting bounded, so no later walk over a document can exhaust the stack."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

# Real Responses API documents nest about 20 deep (a tool's JSON Schema a little more); the checks recurse per level.
MAX_DEPTH = 100

# A JSON string (unrolled so long strings do not backtrack) or one bracket.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class TooDeepError(ValueError):
    """The document nests deeper than MAX_DEPTH; a ValueError so every `json.loads` caller's handler catches it."""

    def __init__(self, limit: int = MAX_DEPTH) -> None:
        super().__init__(f"nested deeper than {limit} levels")
        self.limit = limit


def nesting_over(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON text opens more than `limit` arrays/objects inside one another (strings skipped)."""
    if text.count("[") + text.count("{") <= limit:  # the common case, at C speed
        return False
    depth = 0
    for m in _TOKENS.finditer(text):
        c = m.group()
        if c == "[" or c == "{":
            depth += 1
            if depth > limit:
                return True
        elif c == "]" or c == "}":
            depth -= 1
    return False


def loads(text: str | bytes, limit: int = MAX_DEPTH, decode: Callable[[str], Any] = json.loads) -> Any:
    """`json.loads` (or `decode`), raising TooDeepError (a ValueError) past `limit` levels, never RecursionError."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    if nesting_over(text, limit):
        raise TooDeepError(limit)
    try:
        return decode(text)
    except RecursionError:  # a lower interpreter limit than ours
        raise TooDeepError(limit) from None
