"""Rebuild reports/baseline/<provider>/run.json: the offline run of every shipped profile, normalised.

The nightly live run is diffed against this baseline (`respcompat diff`); tests/test_baseline.py keeps it fresh.
Usage: python scripts/update_baseline.py [--jobs N] [--out DIR] [PROVIDER ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE_DIR = ROOT / "reports" / "baseline"
REFRESH_COMMAND = "python scripts/update_baseline.py"
# Fields that describe one run rather than the provider: dropped so an unchanged tree rebuilds byte-identically.
VOLATILE = ("started", "report_path", "transport")
# pytest exits 1 when a case fails (a divergence is a finding, not a crash); anything else means no usable run.
USABLE_EXIT = (0, 1)


def shipped_profiles() -> list[str]:
    return sorted(p.stem for p in (ROOT / "providers").glob("*.yaml"))


def normalise(record: dict[str, Any]) -> dict[str, Any]:
    """The run record without its volatile fields."""
    return {k: v for k, v in record.items() if k not in VOLATILE}


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(normalise(record), indent=2, ensure_ascii=False) + "\n"


def offline_run(provider: str, report_dir: Path) -> dict[str, Any]:
    """Run the suites for `provider` from its cassettes in a subprocess and return its run record."""
    env = dict(os.environ)
    # The baseline is the replay of the shipped cassettes: no key may turn a skipped live case into something else.
    for var in [k for k in env if k.endswith("_API_KEY") or k == "LITELLM_MASTER_KEY"]:
        env.pop(var)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        f"--provider={provider}",
        "--record-mode=none",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--report-dir={report_dir}",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    path = report_dir / "run.json"
    if proc.returncode not in USABLE_EXIT or not path.is_file():
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{tail}")
    return json.loads(path.read_text(encoding="utf-8"))


def build(out_dir: Path, providers: list[str] | None = None, jobs: int = 2) -> dict[str, Path]:
    """Write out_dir/<provider>/run.json for each provider (default: every shipped profile); return the paths."""
    providers = providers or shipped_profiles()
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="respcompat-baseline-") as tmp, ThreadPoolExecutor(max(1, jobs)) as pool:
        records = dict(zip(providers, pool.map(lambda p: offline_run(p, Path(tmp) / p), providers)))
    paths = {}
    for provider, record in records.items():
        path = out_dir / provider / "run.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(record), encoding="utf-8")
        paths[provider] = path
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("providers", nargs="*", help="profiles to rebuild (default: every providers/*.yaml)")
    ap.add_argument(
        "--out", type=Path, default=BASELINE_DIR, help=f"baseline folder (default: {BASELINE_DIR.relative_to(ROOT)})"
    )
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1), help="profiles run at once")
    args = ap.parse_args(argv)
    paths = build(args.out, args.providers or None, args.jobs)
    if not args.providers:  # a full rebuild also drops the baseline of a profile that is no longer shipped
        for stale in sorted(d for d in args.out.iterdir() if d.is_dir() and d.name not in paths):
            shutil.rmtree(stale)
            print(f"removed {stale}")
    for path in paths.values():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
