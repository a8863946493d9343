"""Benchmark: judge the whole ../shared/realworld corpus; report seconds and ratios against an import-only baseline.

Usage: python benchmarks/bench_check.py [--repeat N] [--provider NAME] [CORPUS]
The budget (issue 2) is under 3 s for the whole corpus on a 2-core machine, validators compiled once.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from respcompat.engine import judge_exchanges, judge_for  # noqa: E402
from respcompat.importers import load_path  # noqa: E402

BUDGET_S = 3.0
# Recordings of a provider we have a contract for are judged by it; the rest by OpenAI's.
FOLDER_PROVIDER = {"dashscope": "dashscope", "volcengine-ark": "ark"}


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "corpus", nargs="?", default=os.environ.get("RESPCOMPAT_REALWORLD", str(ROOT.parent / "shared" / "realworld"))
    )
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--provider", default="auto", help="a profile, or auto: each corpus folder by its provider")
    args = ap.parse_args()
    if not Path(args.corpus).is_dir():
        print(f"corpus not found: {args.corpus}")
        return 0

    def provider_of(path) -> str:
        if args.provider != "auto":
            return args.provider
        return FOLDER_PROVIDER.get(Path(path).parent.name, "openai")

    t = time.perf_counter()
    for name in {provider_of(p) for p in Path(args.corpus).rglob("*")} if args.provider == "auto" else {args.provider}:
        judge_for(name)
    warm = time.perf_counter() - t  # loading + compiling contracts, once per process

    def import_only():
        return load_path(args.corpus)

    def full():
        for r in load_path(args.corpus):
            if r.exchanges:
                judge_exchanges(r.exchanges, provider_of(r.path))

    t = time.perf_counter()
    full()
    first = time.perf_counter() - t  # the first pass: nothing warmed but the compiled validators

    results = load_path(args.corpus)
    n_files = len(results)
    n_ex = sum(len(r.exchanges) for r in results)
    n_ev = sum(len(e.response.events or []) for r in results for e in r.exchanges if e.response)
    base = _best(import_only, args.repeat)
    total = _best(full, args.repeat)
    print(f"corpus: {n_files} files, {n_ex} exchanges, {n_ev} events; provider {args.provider}")
    print(f"contract load + compile (once): {warm:.3f} s")
    print(f"import only (baseline):        {base:.3f} s")
    print(
        f"import + all checks:           {total:.3f} s  ({total / base:.1f}x baseline; "
        f"{1e6 * (total - base) / max(n_ev + n_ex, 1):.0f} us per event/body)"
    )
    print(
        f"first pass incl. compile:      {warm + first:.3f} s  (budget {BUDGET_S:.1f} s: {'ok' if warm + first < BUDGET_S else 'OVER'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
