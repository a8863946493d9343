"""Benchmark: the gain of proposed speed-ups, each tried by monkeypatching, on the 100k-event stream of bench_throughput.

Usage: python benchmarks/bench_whatif.py [--repeat N] [--quick]
CPU seconds (process_time: steadier than wall time on a shared box), variant and baseline interleaved, best of N.
A variant that changes a finding fails the run. Delete a variant once its change is in src/.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_throughput import build_stream, peer_schemas  # noqa: E402

import respcompat.checks._wire as wire  # noqa: E402
import respcompat.checks.accumulation as accumulation  # noqa: E402
import respcompat.checks.items as items  # noqa: E402
import respcompat.contracts as contracts  # noqa: E402
from respcompat.engine import judge_exchanges, judge_for  # noqa: E402
from respcompat.importers import load_bytes  # noqa: E402


def variants(contract) -> dict:
    """name -> (apply, undo)."""
    orig_misplaced, orig_oversized, orig_for_file = wire.misplaced, contracts._oversized, contract._fast.for_file
    memo: dict = {}

    def misplaced_once(events):  # every caller passes payloads() of the same exchange: same first event, same length
        key = (id(events[0]) if events else 0, len(events))
        if key not in memo:
            memo[key] = orig_misplaced(events)
        return memo[key]

    def set_misplaced(fn):
        memo.clear()
        accumulation.misplaced = items.misplaced = fn

    out = {
        "_wire.misplaced once per stream": (
            lambda: set_misplaced(misplaced_once),
            lambda: set_misplaced(orig_misplaced),
        ),
        "no _oversized on stream events": (
            lambda: setattr(contracts, "_oversized", lambda doc: False),
            lambda: setattr(contracts, "_oversized", orig_oversized),
        ),
    }
    try:
        import jsonschema_rs
    except ImportError:
        return out
    files = peer_schemas(contract)
    reg = jsonschema_rs.Registry([(d["$id"], d) for d in files.values()])
    rs = {
        rel: jsonschema_rs.Draft202012Validator(files[rel], registry=reg).is_valid
        for rel in files
        if rel.startswith("events/")
    }
    out["jsonschema-rs as the fast path"] = (
        lambda: setattr(contract._fast, "for_file", rs.__getitem__),
        lambda: setattr(contract._fast, "for_file", orig_for_file),
    )
    applies = [a for a, _ in out.values()]
    undoes = [u for _, u in out.values()]
    out["all of the above"] = (lambda: [a() for a in applies], lambda: [u() for u in undoes])
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="20k events, 2 repeats")
    args = ap.parse_args()
    if args.quick:
        args.events, args.repeat = min(args.events, 20_000), min(args.repeat, 2)
    data = build_stream(args.events)
    judge = judge_for("openai")

    def run() -> tuple[float, list]:
        t = time.process_time()
        out = judge_exchanges(load_bytes(data, "bench.sse").exchanges, "openai")
        return time.process_time() - t, [(f.check_id, f.pointer) for f in out.findings] + out.errors

    def json_baseline() -> float:
        t = time.process_time()
        for line in data.decode("utf-8").split("\n"):
            if line.startswith("data: "):
                __import__("json").loads(line[6:])
        return time.process_time() - t

    print(f"{args.events} events, best of {args.repeat}, CPU seconds of import + check")
    j = min(json_baseline() for _ in range(args.repeat))
    print(f"{'json.loads of the data lines':34} {j:7.3f} s")
    for name, (apply, undo) in variants(judge.contracts.openai).items():
        base, var = [], []
        for _ in range(args.repeat):
            s, expected = run()
            base.append(s)
            apply()
            try:
                s, got = run()
            finally:
                undo()
            var.append(s)
            if got != expected:
                raise SystemExit(f"{name} changes the findings: {got[:3]} vs {expected[:3]}")
        b, v = min(base), min(var)
        print(
            f"{name:34} baseline {b:7.3f} s ({b / j:4.1f}x json)  variant {v:7.3f} s ({v / j:4.1f}x json)  "
            f"gain {100 * (1 - v / b):3.0f}%"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
