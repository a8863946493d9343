"""Fake servers for respcompat's self-tests: a conforming Responses API, and the same with planted faults."""

from typing import Any

from .faults import FAULTS

__all__ = ["DEFAULT_KEY", "FAULTS", "FakeResponsesServer"]


def __getattr__(name: str) -> Any:
    # Lazy, so `python -m tests.fakes.server` does not import the server module twice (runpy warns).
    if name in ("DEFAULT_KEY", "FakeResponsesServer"):
        from . import server

        return getattr(server, name)
    raise AttributeError(name)
