"""`respcompat` command line: check recorded traffic, render and diff reports, update expectations."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .findings import CLASSIFICATIONS, UNDOCUMENTED

JSON_FORMAT_VERSION = 2
# Exit codes (documented in the README and --help; CHANGELOG 0.2.0 added 3).
EXIT_OK, EXIT_DIVERGENCE, EXIT_USAGE, EXIT_UNREADABLE = 0, 1, 2, 3


class UsageError(Exception):
    """Bad arguments: exit code 2."""


def check_paths(paths: Sequence[str], provider: str, yardsticks: Sequence[str] = ()) -> dict[str, Any]:
    """Import every file under `paths`, judge it, and return the public JSON document."""
    from collections import Counter

    from .engine import judge_exchanges, judge_for
    from .importers import iter_path, load_text
    from .report import contradiction_id, doc_contradictions

    missing = next((p for p in paths if p != "-" and not Path(p).exists()), None)
    if missing is not None:
        raise UsageError(f"no such file or folder: {missing}")

    def each_file() -> Iterator[Any]:  # one file imported at a time, judged, then let go
        for p in paths:
            if p == "-":
                yield load_text(sys.stdin.read(), "<stdin>")
            else:
                yield from iter_path(p)

    files = []
    hits: Counter = Counter()
    analysed: list[list[Any]] = []  # per create request: its parameter verdicts (advice, not findings)
    for r in each_file():
        error = r.error or (None if r.exchanges else "no recorded exchange found in the file: nothing to judge")
        entry: dict[str, Any] = {
            "path": str(r.path),
            "format": r.format,
            "exchanges": len(r.exchanges),
            "error": error,
            "findings": [],
            "infra_errors": [],
        }
        if r.error is None and r.exchanges:
            outcome = judge_exchanges(r.exchanges, provider)
            hits.update(cid for cid in map(contradiction_id, outcome.findings) if cid)
            entry["findings"] = [f.to_json() for f in outcome.findings]
            entry.update(_era(r.exchanges))
            infra = [f"{x.label}: {x.meta['infra_error']}" for x in r.exchanges if x.meta.get("infra_error")]
            entry["infra_errors"] = infra + outcome.errors
            verdicts = _request_verdicts(r.exchanges, provider)
            analysed.extend(verdicts)
            entry["request_analysis"] = _summarise(verdicts)
            if yardsticks:
                from .yardstick import measure

                entry["yardsticks"] = {name: measure(r.exchanges, name) for name in yardsticks}
        files.append(entry)
        del r  # before the next file is read: a folder of big files is held one at a time
    counts = {c: 0 for c in CLASSIFICATIONS}
    for f in files:
        for finding in f["findings"]:
            counts[finding["classification"]] = counts.get(finding["classification"], 0) + 1
    return {
        "version": JSON_FORMAT_VERSION,
        "provider": provider,
        "files": files,
        "doc_contradictions": doc_contradictions(judge_for(provider).profile, hits),
        "summary": {
            "by_check": dict(sorted(Counter(x["check"] for f in files for x in f["findings"]).items())),
            "files": len(files),
            "exchanges": sum(f["exchanges"] for f in files),
            "findings": sum(len(f["findings"]) for f in files),
            "by_classification": counts,
            "unreadable_files": sum(1 for f in files if f["error"]),
            "infra_errors": sum(len(f["infra_errors"]) for f in files),
            "request_analysis": _summarise(analysed),
        },
    }


def _request_verdicts(exchanges: list[Any], provider: str) -> list[list[Any]]:
    """What the provider would do with each parameter of each recorded create request (migration.py)."""
    from .engine import judge_for
    from .migration import analyse_request

    judge = judge_for(provider)
    return [
        analyse_request(x.request.body, judge.profile, judge.contracts.provider, judge.contracts.openai)
        for x in exchanges
        if x.endpoint == "create" and x.request is not None and isinstance(x.request.body, dict)
    ]


def _summarise(verdicts: list[list[Any]]) -> dict[str, Any]:
    from .migration import summarise

    return summarise(verdicts)


def _era(exchanges: list[Any]) -> dict[str, Any]:
    """When the traffic was recorded (and so which OpenAI contract era judges it), or which era it matches."""
    from .eras import date_of, era_of, matching_era

    dates = sorted(d for d in map(date_of, exchanges) if d is not None)
    if dates:
        return {"recorded": dates[0].isoformat(), "era": era_of(dates[0])}
    return {"recorded": None, "era": matching_era(exchanges)}


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_text(doc: dict[str, Any], verbose: bool = False) -> str:
    """People's view: per file, findings grouped by classification then check, expected vs actual side by side."""
    out: list[str] = [f"respcompat check --provider {doc['provider']}"]
    order = {
        c: i
        for i, c in enumerate(
            (
                UNDOCUMENTED,
                "doc-contradiction",
                "documented-deviation",
                "model-dependent",
                "contract-drift",
                "extension",
            )
        )
    }
    by_check = doc["summary"].get("by_check") or {}
    if by_check:
        out.append("findings per check: " + ", ".join(f"{k} {v}" for k, v in by_check.items()))
    for f in doc["files"]:
        if f["error"]:
            out.append(f"\n{f['path']}  [{f['format'] or 'unknown'}]  ERROR: {f['error']}")
            continue
        if not f["findings"] and not f["infra_errors"]:
            if verbose:
                out.append(f"\n{f['path']}  [{f['format']}]  {f['exchanges']} exchange(s): ok")
            continue
        when = (
            f"recorded {f['recorded']}, era {f['era']}"
            if f.get("recorded")
            else f"undated, matches era {f['era']}"
            if f.get("era")
            else "undated"
        )
        out.append(
            f"\n{f['path']}  [{f['format']}]  {f['exchanges']} exchange(s), {len(f['findings'])} finding(s); {when}"
        )
        for name, y in (f.get("yardsticks") or {}).items():
            out.append(
                f"  {name}: {y['failing']} of {y['documents']} document(s) fail"
                + (
                    f", e.g. {y['examples'][0]['pointer'] or '/'}: {y['examples'][0]['message']}"
                    if y["examples"]
                    else ""
                )
            )
        for err in f["infra_errors"]:
            out.append(f"  infrastructure error: {err}")
        group = None
        for x in sorted(
            f["findings"],
            key=lambda x: (order.get(x["classification"], 9), x["check"], x["exchange"] or 0, x["event"] or 0),
        ):
            if (x["classification"], x["check"]) != group:
                group = (x["classification"], x["check"])
                out.append(f"  {x['classification']}  {x['check']}")
            where = f"ex {x['exchange']}" + (f" ev {_events(x)}" if x["event"] is not None else "")
            out.append(
                f"    {where:<12} {x['pointer'] or '/':<40} expected {_short(x['expected'])}  actual {_short(x['actual'])}"
            )
            out.append(f"    {'':<12} {x['message']}" + (f"  [source: {x['source']}]" if x["source"] else ""))
    hit = [c for c in doc.get("doc_contradictions", []) if c["findings"]]
    if hit:
        out.append("\nwhere the provider's own documents disagree:")
        for c in hit:
            sides = "; ".join(f"{x.get('source')}: {x.get('says')}" for x in c["sides"])
            out.append(f"  {c['id']} ({c['findings']} finding(s)): {c['summary']}\n    {sides}")
    out.extend(_render_requests(doc))
    s = doc["summary"]
    by = ", ".join(f"{v} {k}" for k, v in s["by_classification"].items())
    out.append(
        f"\n{s['files']} file(s), {s['exchanges']} exchange(s), {s['findings']} finding(s): {by}"
        + (f"; {s['unreadable_files']} unreadable file(s)" if s["unreadable_files"] else "")
    )
    return "\n".join(out) + "\n"


def _render_requests(doc: dict[str, Any]) -> list[str]:
    """The requests section: one line per parameter and verdict (shown for openai only when something is off)."""
    ra = doc["summary"].get("request_analysis") or {}
    rows, n = ra.get("parameters") or [], ra.get("requests") or 0
    if not rows or (doc["provider"] == "openai" and all(r["verdict"] == "documented" for r in rows)):
        return []
    out = [
        f"\nrequests against {doc['provider']}'s contract: {n} create request(s) "
        "(advice for a migration, not findings: the exit code ignores it)"
    ]
    for r in rows:
        detail = r["note"] if r["verdict"] in ("out-of-contract", "noted") else None
        if r["verdict"] == "noted" and r.get("rule"):
            detail = f"{r['rule']}: {detail}"
        if r.get("instead"):
            detail = f"{detail}; instead: {r['instead']}"
        if not r.get("openai", True):
            detail = (detail + "; " if detail else "") + (
                "OpenAI's contract refuses it too" if r["verdict"] == "out-of-contract" else "not an OpenAI parameter"
            )
        out.append(
            f"  {r['verdict']:<18} {r['parameter']:<24} {r['requests']:>4}/{n:<4} e.g. {_clip(r['example'], 40)}"
            + (f"  {detail}" if detail else "")
            + (f"  [{r['source']}]" if r["source"] else "")
        )
    return out


def _clip(text: Any, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _events(x: dict[str, Any]) -> str:
    """`7`, or `0-135 (136 events)` for a finding merged over many events."""
    evs = x.get("events") or [x["event"]]
    if len(evs) == 1:
        return str(evs[0])
    runs, start, prev = [], evs[0], evs[0]
    for e in evs[1:] + [None]:
        if e is not None and e == prev + 1:
            prev = e
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if e is not None:
            start = prev = e
    text = ",".join(runs[:4]) + (",…" if len(runs) > 4 else "")
    return f"{text} ({len(evs)} events)"


def exit_code(doc: dict[str, Any]) -> int:
    """1 on an undocumented divergence; else 3 when a file could not be read or judged; else 0."""
    if doc["summary"]["by_classification"].get(UNDOCUMENTED, 0):
        return EXIT_DIVERGENCE
    s = doc["summary"]
    return EXIT_UNREADABLE if s["unreadable_files"] or s.get("infra_errors") else EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from .providers import profile_names

    if args.provider not in profile_names():
        raise UsageError(f"unknown provider {args.provider!r}; known: {', '.join(profile_names())}")
    from .contracts import contract_names

    unknown = [y for y in args.yardstick if y not in contract_names()]
    if unknown:
        raise UsageError(f"unknown contract {unknown[0]!r}; known: {', '.join(contract_names())}")
    doc = check_paths(args.paths, args.provider, args.yardstick)
    text = (
        json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"
        if args.format == "json"
        else render_text(doc, args.verbose)
    )
    sys.stdout.write(text)
    return exit_code(doc)


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import load_record, record_paths, render_html, render_markdown

    records = [load_record(p) for p in record_paths(args.records)]
    from .scrub import redact, write_text

    rendered = render_html(records) if args.format == "html" else render_markdown(records)
    if args.output:
        write_text(Path(args.output), rendered)
    else:
        sys.stdout.write(redact(rendered))
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from .report import diff_records, load_record, render_diff

    d = diff_records(load_record(args.old), load_record(args.new))
    sys.stdout.write(json.dumps(d, indent=2) + "\n" if args.format == "json" else render_diff(d))
    return 1 if d["new"] else 0


def _cmd_update_expectations(args: argparse.Namespace) -> int:
    from .expectations import update_expectations
    from .report import load_record

    update_expectations(load_record(args.record), args.output)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .providers import profile_names

    p = argparse.ArgumentParser(
        prog="respcompat",
        description="Conformance checks for OpenAI Responses API providers.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="exit codes of check: 0 no undocumented divergence, 1 an undocumented divergence, 2 usage error,\n"
        "3 a file could not be read, is not a recorded exchange, or holds an infrastructure error (no answer, an\n"
        "answer cut mid-way, a check that crashed), and nothing diverged; the analysis of the\n"
        "create requests against the provider's request contract (documented, out-of-contract, unlisted-ignored/\n"
        "-rejected/-uncertain, noted) is advice for a migration and never changes the exit code\n\n"
        "examples:\n  respcompat check --provider dashscope recordings/\n"
        "  respcompat check --format json traffic.har\n"
        "  respcompat report reports/*/run.json --format html -o matrix.html\n\n"
        f"providers: {', '.join(profile_names())}",
    )
    p.add_argument("--version", action="version", version=f"respcompat {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="judge recorded traffic (files or folders; formats detected)")
    c.add_argument("--provider", default="openai", help="provider profile to judge against (default: openai)")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("-v", "--verbose", action="store_true", help="list clean files too")
    c.add_argument(
        "--yardstick",
        action="append",
        default=[],
        metavar="CONTRACT",
        help="also count documents that fail another contract, e.g. openresponses (informational)",
    )
    c.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, or - for stdin")
    c.set_defaults(func=_cmd_check)

    r = sub.add_parser("report", help="render run records as Markdown or an HTML provider x case matrix")
    r.add_argument(
        "records",
        nargs="+",
        metavar="RUN_JSON",
        help="run records, folders holding run.json, or a folder of them (reports/)",
    )
    r.add_argument("--format", choices=("markdown", "html"), default="markdown")
    r.add_argument("-o", "--output")
    r.set_defaults(func=_cmd_report)

    d = sub.add_parser("diff", help="compare two run records (night to night)")
    d.add_argument("old")
    d.add_argument("new")
    d.add_argument("--format", choices=("text", "json"), default="text")
    d.set_defaults(func=_cmd_diff)

    u = sub.add_parser("update-expectations", help="write expectations/<provider>.yaml from a run record")
    u.add_argument("record", metavar="RUN_JSON")
    u.add_argument("-o", "--output", help="expectations file (default: expectations/<provider>.yaml)")
    u.set_defaults(func=_cmd_update_expectations)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        sys.stderr.write(f"respcompat: {exc}\n")
        return 2
    except ValueError as exc:  # a file of the wrong kind handed to report / diff / update-expectations
        if args.command == "check":
            raise
        sys.stderr.write(f"respcompat {args.command}: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
