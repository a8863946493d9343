"""Cyclic garbage collection paused while a file is imported and judged.

Parsed JSON holds no reference cycles, so the collector finds nothing there; yet with a big stream's millions of
new dicts it runs again and again and took 20-38% of import + check (benchmarks/bench_throughput.py). Reference
counting still frees everything as usual; the collector runs again as soon as the outermost pause ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Usable as `with paused():` or as a decorator; nested pauses re-enable only at the outermost one."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
