"""Benchmark: wall time of the offline (cassette replay) suite per provider, against collection alone.

Usage: python benchmarks/bench_suites.py [--repeat N] [--quick] [--providers P ...]
Each run is a fresh `pytest` process, as a user runs it; the baseline is `pytest --co -q` of the same, so the
ratio is what running the cases costs on top of starting Python, importing and collecting. The run record goes
to a temporary --report-dir, never to reports/.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVIDERS = ["dashscope", "llamacpp", "litellm", "llama-stack"]


def _run(args: list[str]) -> tuple[float, int, str]:
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=ROOT, capture_output=True, text=True)
    lines = p.stdout.strip().splitlines()
    return time.perf_counter() - t, p.returncode, lines[-1] if lines else p.stderr.strip()[-200:]


def _best(args: list[str], repeat: int) -> tuple[float, int, str]:
    runs = [_run(args) for _ in range(repeat)]
    return min(r[0] for r in runs), runs[-1][1], runs[-1][2]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one run each (about 30 s for the four providers)")
    ap.add_argument("--providers", nargs="+", default=PROVIDERS)
    args = ap.parse_args()
    if args.quick:
        args.repeat = 1
    print(f"best of {args.repeat}; python {sys.version.split()[0]}")
    print(f"{'provider':14} {'collect (--co)':>15} {'run':>9} {'ratio':>6}  exit  pytest's last line")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.providers:
            common = [f"--provider={name}", "-q", "-p", "no:cacheprovider", f"--report-dir={tmp}/{name}"]
            co, _, _ = _best([*common, "--co"], args.repeat)
            run, rc, last = _best(common, args.repeat)
            print(f"{name:14} {co:13.2f} s {run:7.2f} s {run / co:5.1f}x  {rc:4}  {last[:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
