"""Fake servers for respcompat's self-tests: a conforming Responses API, and the same with planted faults."""

from .faults import FAULTS
from .server import DEFAULT_KEY, FakeResponsesServer

__all__ = ["DEFAULT_KEY", "FAULTS", "FakeResponsesServer"]
