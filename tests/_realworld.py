"""Where the shared real-world traffic corpus is: `$RESPCOMPAT_REALWORLD`, else `<project root>/../shared/realworld`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SKIP_REASON = "real-world corpus not found (set RESPCOMPAT_REALWORLD or provide ../shared/realworld)"
# Not wire captures, so no era or check can judge them: file name -> what its authors edited (PROVENANCE.md).
EDITED_BY_AUTHORS = {
    "vercel-ai__openai-phase.1.chunks.txt": "fixture edited by its authors, not a wire capture: events were cut out "
    "(sequence_number jumps 5 -> 41 and 43 -> 49, output item 1 is gone, the deltas no longer add up to the done "
    "text) and the response objects trimmed to 8 keys (no error, tools, parallel_tool_calls, ...)",
}


def realworld_dir() -> Path | None:
    """The corpus folder, or None when it is absent (tests then skip)."""
    path = Path(os.environ.get("RESPCOMPAT_REALWORLD") or PROJECT_ROOT.parent / "shared" / "realworld")
    return path if path.is_dir() else None


def realworld_files() -> list[Path]:
    """Every data file of the corpus (notes such as PROVENANCE.md excluded), sorted; [] when absent."""
    root = realworld_dir()
    if root is None:
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".md" and not p.name.startswith("."))


def require_realworld() -> Path:
    """The corpus folder, or skip the calling test."""
    root = realworld_dir()
    if root is None:
        pytest.skip(SKIP_REASON)
    return root
