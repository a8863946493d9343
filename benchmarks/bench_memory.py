"""Benchmark: peak memory of importing and of checking one long valid stream, as a ratio to the file's size.

Usage: python benchmarks/bench_memory.py [--events 100000 1000000] [--provider openai]
Each measurement runs in a fresh subprocess: peak RSS (ru_maxrss) minus the RSS after imports, contract loading and
one check of a 200-event stream of the same shape, which builds the validators a check compiles on first use (the
jsonschema-rs ones are several MiB per event type): a fixed cost, printed on its own line, not one that grows with
the input. The goal (issue: hostile inputs) is a peak under 3x the input size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL = 3.0

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r})
from respcompat.engine import judge_exchanges, judge_for
from respcompat.importers import load_file
judge_for({provider!r})
def rss(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
before = rss()
warm = load_file({warm!r})
judge_exchanges(warm.exchanges, {provider!r})
del warm
base = rss()
t = time.perf_counter()
r = load_file({path!r})
t_import = time.perf_counter() - t
imported = rss()
assert r.error is None, r.error
n = len(r.exchanges[0].response.events)
t = time.perf_counter()
findings = judge_exchanges(r.exchanges, {provider!r}).findings if {check!r} else []
t_check = time.perf_counter() - t
print(json.dumps({{"before": before, "base": base, "imported": imported, "peak": rss(), "events": n, "findings": len(findings),
                  "import_s": t_import, "check_s": t_check}}))
"""


def write_stream(path: Path, n: int) -> int:
    """A valid Responses stream of `n` events (text deltas in the middle); returns its size in bytes."""
    rid, mid = "resp_bench0000000000000000000000", "msg_bench0000000000000000000000"
    seq = 0

    def ev(data: dict) -> str:
        nonlocal seq
        data = {"type": data.pop("type"), "sequence_number": seq, **data}
        seq += 1
        return f"event: {data['type']}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"

    resp = {
        "id": rid,
        "object": "response",
        "created_at": 1760000000,
        "status": "in_progress",
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "model": "gpt-4o-mini",
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": None,
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
    }
    deltas = n - 9
    words = ["alpha ", "beta ", "gamma ", "delta "]
    with path.open("w", encoding="utf-8") as f:
        f.write(ev({"type": "response.created", "response": dict(resp)}))
        f.write(ev({"type": "response.in_progress", "response": dict(resp)}))
        item = {"id": mid, "type": "message", "status": "in_progress", "role": "assistant", "content": []}
        f.write(ev({"type": "response.output_item.added", "output_index": 0, "item": item}))
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        f.write(
            ev(
                {
                    "type": "response.content_part.added",
                    "item_id": mid,
                    "output_index": 0,
                    "content_index": 0,
                    "part": part,
                }
            )
        )
        for i in range(deltas):
            f.write(
                ev(
                    {
                        "type": "response.output_text.delta",
                        "item_id": mid,
                        "output_index": 0,
                        "content_index": 0,
                        "delta": words[i % 4],
                        "logprobs": [],
                    }
                )
            )
        text = "".join(words[i % 4] for i in range(deltas))
        f.write(
            ev(
                {
                    "type": "response.output_text.done",
                    "item_id": mid,
                    "output_index": 0,
                    "content_index": 0,
                    "text": text,
                    "logprobs": [],
                }
            )
        )
        done_part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
        f.write(
            ev(
                {
                    "type": "response.content_part.done",
                    "item_id": mid,
                    "output_index": 0,
                    "content_index": 0,
                    "part": done_part,
                }
            )
        )
        done_item = {**item, "status": "completed", "content": [done_part]}
        f.write(ev({"type": "response.output_item.done", "output_index": 0, "item": done_item}))
        usage = {
            "input_tokens": 5,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": deltas,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": deltas + 5,
        }
        f.write(
            ev(
                {
                    "type": "response.completed",
                    "response": {**resp, "status": "completed", "output": [done_item], "usage": usage},
                }
            )
        )
    return path.stat().st_size


def measure(path: Path, warm: Path, provider: str, check: bool) -> dict:
    code = _CHILD.format(src=str(ROOT / "src"), provider=provider, path=str(path), warm=str(warm), check=check)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--provider", default="openai")
    args = ap.parse_args()
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.sse"
        write_stream(warm, 200)
        fixed = []
        for n in args.events:
            path = Path(tmp) / f"stream_{n}.sse"
            size = write_stream(path, n)
            for check in (False, True):
                m = measure(path, warm, args.provider, check)
                fixed.append((m["base"] - m["before"]) / 2**20)
                ratio = (m["peak"] - m["base"]) / size
                worst = max(worst, ratio)
                what = "import + check" if check else "import only   "
                grown = (m["peak"] - m["base"]) / 2**20
                print(
                    f"{n:>9} events, {size / 2**20:7.1f} MiB: {what} peak +{grown:7.1f} MiB "
                    f"= {ratio:4.2f}x input  (import {m['import_s']:.1f} s, check {m['check_s']:.1f} s, "
                    f"{m['findings']} findings)"
                )
            path.unlink()
    print(f"fixed cost of the validators built on first use: +{min(fixed):.1f} to +{max(fixed):.1f} MiB (not counted)")
    print(f"worst ratio {worst:.2f}x (goal under {GOAL:.0f}x: {'ok' if worst < GOAL else 'OVER'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
