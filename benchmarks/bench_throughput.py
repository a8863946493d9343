"""Benchmark: checker throughput on one long valid stream, and peer validators / JSON parsers on its events.

Usage: python benchmarks/bench_throughput.py [--repeat N] [--quick] [--events N] [--profile] [--no-peers]
Every figure is the best of N runs and is reported as a ratio to a baseline measured in the same run, so
the ratios hold across machines where the seconds do not. The goal (issue 9) is import + check at most 5x
`json.loads` of the same data lines.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bench_check import _best  # noqa: E402  (the benchmarks folder is on sys.path when a script runs)

from respcompat import safe_json  # noqa: E402
from respcompat.contracts import ContractSet  # noqa: E402
from respcompat.engine import judge_exchanges, judge_for  # noqa: E402
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

    out = full()
    n_ev = len(load_bytes(data, "bench.sse").exchanges[0].response.events)
    base = _best(json_baseline, repeat)
    kept = _best(json_kept, repeat)
    imp = _best(import_only, repeat)
    tot = _best(full, repeat)
    return {
        "events": n_ev,
        "bytes": len(data),
        "findings": [f"{f.check_id} {f.pointer}" for f in out.findings],
        "errors": out.errors,
        "json": base,
        "json_kept": kept,
        "import": imp,
        "full": tot,
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
    """Import + check with the cyclic GC on and off, interleaved so both see the same load on a shared machine."""
    import gc

    def full():
        t = time.perf_counter()
        judge_exchanges(load_bytes(data, "bench.sse").exchanges, provider)
        return time.perf_counter() - t

    on, off = [], []
    for _ in range(repeat):
        on.append(full())
        gc.disable()
        try:
            off.append(full())
        finally:
            gc.enable()
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


def _inline_dispatch(node, contract):
    """x-dispatch (pick the schema by the object's `type`) as plain 2020-12: an enum of the types plus if/then per type."""
    if isinstance(node, list):
        return [_inline_dispatch(v, contract) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _inline_dispatch(v, contract) for k, v in node.items()}
    kind = node.pop("x-dispatch", None)
    if kind is not None:
        types = contract.types[kind]
        rule = [{"if": {"type": "object"}, "then": {"required": ["type"], "properties": {"type": {"enum": types}}}}]
        rule += [
            {
                "if": {"properties": {"type": {"const": t}}, "required": ["type"]},
                "then": {"$ref": contract.files[f"{kind}/{t}.json"]["$id"]},
            }
            for t in types
        ]
        node["allOf"] = node.get("allOf", []) + rule
    return node


def peer_schemas(contract) -> dict[str, dict]:
    """The contract's composed files (what respcompat validates by) with x-dispatch inlined; other x-* left as annotations."""
    return {rel: _inline_dispatch(copy.deepcopy(doc), contract) for rel, doc in contract.files.items()}


def build_peers(contract) -> dict:
    """`name -> (doc -> bool)` for every validator that can run here; a missing package is skipped, not faked."""
    files = peer_schemas(contract)
    events = {rel[len("events/") : -len(".json")]: rel for rel in files if rel.startswith("events/")}
    fast = {t: contract._fast.for_file(rel) for t, rel in events.items()}
    peers = {
        "respcompat validate()": lambda doc: contract.validate("event", doc).ok,
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
    print(f"   {'json.loads of the data lines (baseline)':44} {c['json']:7.3f} s   1.0x")
    print(f"   {'json.loads, documents kept in a list':44} {c['json_kept']:7.3f} s  {c['json_kept'] / c['json']:4.1f}x")
    print(f"   {'import only (load_bytes)':44} {c['import']:7.3f} s  {c['import'] / c['json']:4.1f}x")
    ratio = c["full"] / c["json"]
    print(
        f"   {'import + check (judge_exchanges)':44} {c['full']:7.3f} s  {ratio:4.1f}x   "
        f"goal <= {GOAL:.0f}x: {'ok' if ratio <= GOAL else 'OVER'}; "
        f"{c['full'] / c['json_kept']:.1f}x the kept baseline"
    )
    print(
        f"   {'check alone (difference)':44} {c['full'] - c['import']:7.3f} s  "
        f"{1e6 * (c['full'] - c['import']) / c['events']:.1f} us/event"
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
            f"   import + check with gc on {on:.3f} s, off {off:.3f} s: collections cost {100 * (on - off) / on:.0f}%"
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
