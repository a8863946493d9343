"""First difference between two JSON documents, as a JSON pointer (shared by accumulation and state checks)."""

from __future__ import annotations

from typing import Any

from ._wire import esc

_MISSING = object()


def first_diff(a: Any, b: Any, at: str = "", ignore: frozenset[str] = frozenset()) -> tuple[str, Any, Any] | None:
    """`(pointer, a value, b value)` of the first place a and b differ (keys in `ignore` skipped at every level)."""
    if a is b and not ignore:
        return None  # one shared (YAML-aliased) subtree: equal without walking it
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k in ignore:
                continue
            d = first_diff(a.get(k, _MISSING), b.get(k, _MISSING), f"{at}/{esc(k)}", ignore)
            if d is not None:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            d = first_diff(a[i] if i < len(a) else _MISSING, b[i] if i < len(b) else _MISSING, f"{at}/{i}", ignore)
            if d is not None:
                return d
        return None
    if type(a) is not type(b) and not (_num(a) and _num(b)) or a != b:
        return at, _show(a), _show(b)
    return None


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _show(v: Any) -> Any:
    return "<missing>" if v is _MISSING else v
