"""Benchmark: checker throughput on one long valid stream, and peer validators / JSON parsers on its events.

Usage: python benchmarks/bench_throughput.py [--repeat N] [--quick] [--events N] [--profile] [--no-peers]
Every figure is the best of N runs and is reported as a ratio to a baseline measured in the same run, so
the ratios hold across machines where the seconds do not. The goal (issue 9) is import + check at most 5x
`json.loads` of the same data lines. Import + check is timed twice in the same run, interleaved: with
jsonschema-rs behind `Contract.validate` (the default when it is installed) and with the Python-only path.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import json
import pstats
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bench_check import _best  # noqa: E402  (the benchmarks folder is on sys.path when a script runs)

from respcompat import safe_json  # noqa: E402
from respcompat.contracts import ContractSet  # noqa: E402
from respcompat.engine import judge_exchanges, judge_for  # noqa: E402
from respcompat.fastpath import RustPath, plain_2020  # noqa: E402
from respcompat.importers import load_bytes  # noqa: E402
from respcompat.sse import _JSON  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "traffic" / "text_stream.json"
GOAL = 5.0


def build_stream(n: int) -> bytes:
    """The fixture's text stream grown to `n` events: its deltas repeated, sequence numbers and done text kept consistent."""
    events = [e["data"] for e in json.loads(FIXTURE.read_text())["exchanges"][0]["response"]["events"]]
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    first, last = events.index(deltas[0]), events.index(deltas[-1])
    head, tail = events[:first], events[last + 1 :]
    old_text = "".join(d["delta"] for d in deltas)
    k = n - len(head) - len(tail)
    grown = [dict(deltas[i % len(deltas)]) for i in range(k)]
    new_text = "".join(d["delta"] for d in grown)

    def retext(node):  # the done events repeat the whole text; they must add up to the new deltas
        if isinstance(node, dict):
            return {key: retext(v) for key, v in node.items()}
        if isinstance(node, list):
            return [retext(v) for v in node]
        return new_text if node == old_text else node

    out = []
    for seq, ev in enumerate(head + grown + [retext(e) for e in tail]):
        ev = {**ev, "sequence_number": seq}
        out.append(f"event: {ev['type']}\ndata: {json.dumps(ev, separators=(',', ':'))}\n\n")
    return "".join(out).encode("utf-8")


def data_lines(data: bytes) -> list[bytes]:
    return [line[6:] for line in data.split(b"\n") if line.startswith(b"data: ")]


# -- item 1: the checker against json.loads ----------------------------------------------------------------------


@contextmanager
def python_only(provider: str):
    """The provider's and OpenAI's contracts without jsonschema-rs (today's fallback), restored afterwards."""
    cs = judge_for(provider).contracts
    saved = [(c, c._rust, c._rust_events) for c in (cs.provider, cs.openai)]
    for c, _, _ in saved:
        c._rust, c._rust_events = None, {}
    try:
        yield
    finally:
        for c, rust, events in saved:
            c._rust, c._rust_events = rust, events


def _best_interleaved(fns: list, repeat: int) -> list[tuple[float, float]]:
    """(best wall, best CPU seconds) of `repeat` runs of each function, timed round-robin so all see the same load.

    CPU time (`process_time`) is the steadier figure on a shared box, where wall time includes waiting for a core.
    """
    times: list[list[tuple[float, float]]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, ts in zip(fns, times):
            t, c = time.perf_counter(), time.process_time()
            fn()
            ts.append((time.perf_counter() - t, time.process_time() - c))
    return [(min(w for w, _ in ts), min(c for _, c in ts)) for ts in times]


def bench_checker(data: bytes, repeat: int, provider: str) -> dict:
    judge_for(provider)  # contracts loaded and compiled once per process, not per run

    def json_baseline():
        for line in data.decode("utf-8").split("\n"):
            if line.startswith("data: "):
                json.loads(line[6:])

    def json_kept():  # the same, keeping the documents as any checker must
        return [json.loads(line[6:]) for line in data.decode("utf-8").split("\n") if line.startswith("data: ")]

    def import_only():
        return load_bytes(data, "bench.sse")

    def full():
        r = load_bytes(data, "bench.sse")
        return judge_exchanges(r.exchanges, provider)

    def full_python():
        with python_only(provider):
            return full()

    out = full()
    if [f.check_id for f in full_python().findings] != [f.check_id for f in out.findings]:
        raise SystemExit("the two validation paths disagree on this stream")
    n_ev = len(load_bytes(data, "bench.sse").exchanges[0].response.events)
    walls, cpu = zip(*_best_interleaved([json_baseline, json_kept, import_only, full, full_python], repeat))
    base, kept, imp, tot, tot_py = walls
    return {
        "events": n_ev,
        "bytes": len(data),
        "findings": [f"{f.check_id} {f.pointer}" for f in out.findings],
        "errors": out.errors,
        "json": base,
        "json_kept": kept,
        "import": imp,
        "full": tot,
        "full_python": tot_py,
        "cpu": dict(zip(("json", "json_kept", "import", "full", "full_python"), cpu)),
        "rust": RustPath.available(),
    }


def by_check(data: bytes, provider: str, repeat: int) -> list[tuple[str, float]]:
    """Seconds per registered check on the stream (best of `repeat`), the way run_checks calls them; slowest first."""
    from respcompat.checks import CheckContext, _applies, load_all

    judge = judge_for(provider)
    exchanges = load_bytes(data, "bench.sse").exchanges
    ctx = CheckContext(provider=judge.profile, contracts=judge.contracts, exchanges=exchanges)
    rows = []
    for cid, spec in sorted(load_all().items()):
        if _applies(spec, exchanges[0]):
            rows.append((cid, _best(lambda spec=spec: list(spec.func(exchanges[0], ctx)), repeat)))
    return sorted(rows, key=lambda r: -r[1])


def gc_share(data: bytes, provider: str, repeat: int) -> tuple[float, float]:
    """Import + check with collections running as usual, and paused as respcompat does (respcompat.nogc), interleaved."""
    import gc
    import types

    from respcompat import nogc

    def full():
        t = time.perf_counter()
        judge_exchanges(load_bytes(data, "bench.sse").exchanges, provider)
        return time.perf_counter() - t

    on, off = [], []
    for _ in range(repeat):
        nogc.gc = types.SimpleNamespace(isenabled=gc.isenabled, disable=lambda: None, enable=gc.enable)  # pause off
        try:
            on.append(full())
        finally:
            nogc.gc = gc
        off.append(full())
    return min(on), min(off)


def profile_checker(data: bytes, provider: str, top: int = 15) -> str:
    judge_for(provider)
    pr = cProfile.Profile()
    pr.enable()
    judge_exchanges(load_bytes(data, "bench.sse").exchanges, provider)
    pr.disable()
    s = io.StringIO()
    pstats.Stats(pr, stream=s).strip_dirs().sort_stats("tottime").print_stats(top)
    return s.getvalue()


# -- item 5: peer validators and JSON parsers on the same events -------------------------------------------------


def peer_schemas(contract) -> dict[str, dict]:
    """The contract's composed files in stock 2020-12 (respcompat.fastpath.plain_2020: x-dispatch inlined)."""
    return {rel: plain_2020(doc, contract) for rel, doc in contract.files.items()}


def build_peers(contract) -> dict:
    """`name -> (doc -> bool)` for every validator that can run here; a missing package is skipped, not faked."""
    files = peer_schemas(contract)
    events = {rel[len("events/") : -len(".json")]: rel for rel in files if rel.startswith("events/")}
    fast = {t: contract._fast.for_file(rel) for t, rel in events.items()}
    from respcompat.contracts import Contract
    from respcompat.overlay import SCHEMAS_DIR, _composed

    meta, composed = _composed(contract.name, (SCHEMAS_DIR,))
    py = Contract(contract.name, meta, copy.deepcopy(composed), rust=False)
    peers = {
        "respcompat validate()": lambda doc: contract.validate("event", doc).ok,
        "respcompat validate(), Python-only": lambda doc: py.validate("event", doc).ok,
        "respcompat fast path": lambda doc: fast[doc["type"]](doc),
    }
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    reg = Registry().with_resources((d["$id"], Resource(d, DRAFT202012)) for d in files.values()).crawl()
    js = {t: jsonschema.Draft202012Validator(files[rel], registry=reg) for t, rel in events.items()}
    peers["jsonschema is_valid"] = lambda doc: js[doc["type"]].is_valid(doc)
    try:
        import jsonschema_rs
    except ImportError:
        return peers
    rs_reg = jsonschema_rs.Registry([(d["$id"], d) for d in files.values()])
    rs = {t: jsonschema_rs.Draft202012Validator(files[rel], registry=rs_reg) for t, rel in events.items()}
    peers["jsonschema-rs is_valid"] = lambda doc: rs[doc["type"]].is_valid(doc)
    return peers


def planted(docs: list[dict]) -> list[dict]:
    """Invalid events every validator must reject: proof that the peers' schemas (with x-dispatch inlined) still bite."""
    by_type = {d["type"]: d for d in docs}
    bad = []
    if "response.output_text.delta" in by_type:
        bad.append({**by_type["response.output_text.delta"], "delta": 7})
    if "response.output_item.added" in by_type:
        d = copy.deepcopy(by_type["response.output_item.added"])
        d["item"]["type"] = "no_such_item"
        bad.append(d)
        d = copy.deepcopy(by_type["response.output_item.added"])
        d["item"]["role"] = 3  # only the message schema, reached through x-dispatch, knows role's type
        bad.append(d)
    if "response.content_part.added" in by_type:
        d = copy.deepcopy(by_type["response.content_part.added"])
        d["part"]["text"] = None
        bad.append(d)
    return bad


def bench_peers(data: bytes, repeat: int) -> dict:
    contract = ContractSet.for_provider("openai").openai
    docs = [json.loads(line) for line in data_lines(data)]
    peers = build_peers(contract)
    rows = {}
    for name, valid in peers.items():
        if not all(valid(d) for d in docs):
            rows[name] = {"error": "rejects a valid event"}
            continue
        caught = sum(not valid(d) for d in planted(docs))

        def run(valid=valid):
            for d in docs:
                valid(d)

        rows[name] = {"s": _best(run, repeat), "caught": caught, "planted": len(planted(docs))}
    return {"events": len(docs), "rows": rows}


def corpus_events(corpus: Path) -> list[dict]:
    """Every parsed event object of a known type in the corpus: varied types and real sizes, valid or not."""
    from respcompat.importers import load_path

    known = set(ContractSet.for_provider("openai").openai.types["events"])
    return [
        e.data
        for r in load_path(corpus)
        for ex in r.exchanges
        if ex.response and ex.response.events
        for e in ex.response.events
        if isinstance(e.data, dict) and e.data.get("type") in known
    ]


def bench_corpus_peers(docs: list[dict], repeat: int) -> dict:
    """Peers on real events: seconds, and every event where a peer's verdict differs from respcompat's validate()."""
    contract = ContractSet.for_provider("openai").openai
    peers = build_peers(contract)
    truth = [contract.validate("event", d).ok for d in docs]
    rows = {}
    for name, valid in peers.items():
        verdicts = [valid(d) for d in docs]
        differ = [(d["type"], t) for d, v, t in zip(docs, verdicts, truth) if v != t]

        def run(valid=valid):
            for d in docs:
                valid(d)

        rows[name] = {"s": _best(run, repeat), "differ": differ}
    return {"events": len(docs), "invalid": truth.count(False), "rows": rows}


def bench_parsers(data: bytes, repeat: int) -> dict:
    """Seconds to parse every data line, the documents kept in a list (as the importer must) and discarded (parse alone)."""
    lines = data_lines(data)
    text_lines = [line.decode("utf-8") for line in lines]

    def respcompat_decode(xs):  # what sse.py does past its first 1000 events: bounded depth, shared keys and ids
        js = _JSON()
        return [safe_json.loads(x, decode=js.decode) for x in xs]

    parsers = {"json.loads": (json.loads, text_lines), "respcompat (safe_json + shared strings)": (None, text_lines)}
    try:
        import orjson

        parsers["orjson.loads (str)"] = (orjson.loads, text_lines)
        parsers["orjson.loads (bytes)"] = (orjson.loads, lines)
    except ImportError:
        pass
    rows = {}
    for name, (fn, xs) in parsers.items():
        if fn is None:
            kept = _best(lambda xs=xs: respcompat_decode(xs), repeat)
            dropped = _best(lambda xs=xs: [None for x in xs if _JSON().decode(x) is None], repeat)
        else:
            kept = _best(lambda fn=fn, xs=xs: [fn(x) for x in xs], repeat)
            dropped = _best(lambda fn=fn, xs=xs: [None for x in xs if fn(x) is None], repeat)
        rows[name] = (kept, dropped)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="20k events, 2 repeats: under a minute")
    ap.add_argument("--provider", default="openai")
    ap.add_argument("--profile", action="store_true", help="print cProfile's top 15 (by own time) for import + check")
    ap.add_argument(
        "--corpus",
        default=str(ROOT.parent / "shared" / "realworld"),
        help="real events for the validators' agreement and speed (skipped when absent)",
    )
    ap.add_argument("--no-peers", action="store_true", help="skip the validator and parser comparison")
    args = ap.parse_args()
    if args.quick:
        args.events, args.repeat = min(args.events, 20_000), min(args.repeat, 2)
    data = build_stream(args.events)
    print(
        f"stream: {args.events} events, {len(data) / 2**20:.1f} MiB; best of {args.repeat}; python "
        f"{sys.version.split()[0]}"
    )

    c = bench_checker(data, args.repeat, args.provider)
    print(
        f"\n1. checker ({args.provider}), {c['events']} events, {len(c['findings'])} findings, "
        f"{len(c['errors'])} errors"
    )
    for f in c["findings"][:5]:
        print(f"   finding: {f}")
    cpu = c["cpu"]
    print(f"   {'':44} {'wall':>7}   ratio  {'cpu ratio':>9}")

    def row(label: str, key: str, note: str = "") -> None:
        print(f"   {label:44} {c[key]:7.3f} s {c[key] / c['json']:5.1f}x  {cpu[key] / cpu['json']:8.1f}x{note}")

    row("json.loads of the data lines (baseline)", "json")
    row("json.loads, documents kept in a list", "json_kept")
    row("import only (load_bytes)", "import")
    paths = [("import + check, Python-only validation", "full_python")]
    if c["rust"]:
        paths.insert(0, ("import + check, jsonschema-rs (default)", "full"))
    else:
        print("   (jsonschema-rs is not installed: the default path is the Python-only one)")
    for label, key in paths:
        worst = max(c[key] / c["json"], cpu[key] / cpu["json"])
        row(label, key, f"   goal <= {GOAL:.0f}x: {'ok' if worst <= GOAL else 'OVER'}")
    for label, key in paths:
        print(
            f"   {'check alone, ' + label.split(', ')[1]:44} {c[key] - c['import']:7.3f} s  "
            f"{1e6 * (c[key] - c['import']) / c['events']:.1f} us/event wall, "
            f"{1e6 * (cpu[key] - cpu['import']) / c['events']:.1f} us/event cpu"
        )
    if args.profile:
        print("\n   cProfile, import + check, top 15 by own time:")
        print(profile_checker(data, args.provider))
        print("   seconds per check (best of N), slowest first:")
        rows = by_check(data, args.provider, args.repeat)
        for cid, sec in rows[:15]:
            print(f"   {cid:44} {sec:7.3f} s  {1e6 * sec / c['events']:6.2f} us/event")
        print(f"   {'sum of all checks':44} {sum(s for _, s in rows):7.3f} s")
        on, off = gc_share(data, args.provider, args.repeat)
        print(
            f"   import + check with collections running {on:.3f} s, paused (respcompat.nogc, the default) {off:.3f} s:"
            f" the pause saves {100 * (on - off) / on:.0f}%"
        )

    if args.no_peers:
        return 0
    p = bench_peers(data, args.repeat)
    print(f"\n5a. validators, {p['events']} events (baseline: respcompat validate())")
    base = p["rows"]["respcompat validate()"]["s"]
    for name, r in p["rows"].items():
        if "error" in r:
            print(f"   {name:44} {r['error']}")
            continue
        print(
            f"   {name:44} {r['s']:7.3f} s  {r['s'] / base:5.2f}x  {1e6 * r['s'] / p['events']:6.2f} us/event  "
            f"planted invalid caught {r['caught']}/{r['planted']}"
        )
    if Path(args.corpus).is_dir():
        docs = corpus_events(Path(args.corpus))
        cp = bench_corpus_peers(docs, args.repeat)
        print(
            f"\n5b. validators on the corpus's {cp['events']} events of known types ({cp['invalid']} invalid by "
            "respcompat; baseline: respcompat validate())"
        )
        base = cp["rows"]["respcompat validate()"]["s"]
        for name, r in cp["rows"].items():
            differ = r["differ"]
            print(
                f"   {name:44} {r['s']:7.3f} s  {r['s'] / base:5.2f}x  {1e6 * r['s'] / cp['events']:6.2f} us/event  "
                f"verdicts differing from validate(): {len(differ)} {sorted(set(differ))[:3]}"
            )
    rows = bench_parsers(data, args.repeat)
    print(f"\n5c. JSON parsers on the {p['events']} data lines (baseline: json.loads, same column)")
    k0, d0 = rows["json.loads"]
    for name, (kept, dropped) in rows.items():
        print(f"   {name:44} kept {kept:7.3f} s {kept / k0:5.2f}x   discarded {dropped:7.3f} s {dropped / d0:5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
