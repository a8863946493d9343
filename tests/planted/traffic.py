"""Base exchanges as data (tests/fixtures/traffic/*.json), JSON-pointer mutations on them, and -> Exchange objects."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from respcompat.exchange import Event, Exchange, Framing, Request, Response

TRAFFIC = Path(__file__).resolve().parents[1] / "fixtures" / "traffic"
OPS = ("replace", "remove", "insert", "duplicate", "swap", "truncate")


def load_base(name: str) -> dict:
    return json.loads((TRAFFIC / f"{name}.json").read_text(encoding="utf-8"))


def base_names() -> list[str]:
    return sorted(p.stem for p in TRAFFIC.glob("*.json"))


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _parent(doc: Any, pointer: str) -> tuple[Any, str | int]:
    *head, last = _tokens(pointer)
    for t in head:
        doc = doc[int(t)] if isinstance(doc, list) else doc[t]
    return doc, (int(last) if isinstance(doc, list) and last != "-" else last)


def _get(doc: Any, pointer: str) -> Any:
    parent, key = _parent(doc, pointer)
    return parent[key]


def apply_op(doc: Any, op: dict) -> None:
    """Apply one mutation op in place. `path` is a JSON pointer into one exchange ({request, response})."""
    kind, path = op["op"], op["path"]
    parent, key = _parent(doc, path)
    if kind == "replace":
        parent[key] = copy.deepcopy(op["value"])
    elif kind == "remove":
        del parent[key]
    elif kind == "insert":  # before the list index (or append with "-"), or a new object member
        if isinstance(parent, list):
            parent.insert(len(parent) if key == "-" else key, copy.deepcopy(op["value"]))
        else:
            parent[key] = copy.deepcopy(op["value"])
    elif kind == "duplicate":  # the list element again, right after itself
        parent.insert(key + 1, copy.deepcopy(parent[key]))
    elif kind == "swap":
        other_parent, other_key = _parent(doc, op["with"])
        parent[key], other_parent[other_key] = other_parent[other_key], parent[key]
    elif kind == "truncate":  # keep the first `length` elements of the list at path
        del parent[key][op["length"] :]
    else:
        raise ValueError(f"unknown op {kind!r}; known: {OPS}")


def to_exchange(data: dict, index: int, source: str) -> Exchange:
    req = data.get("request")
    request = (
        Request(
            method=req.get("method", "POST"),
            url=req.get("url", ""),
            headers=req.get("headers", {}),
            body=req.get("body"),
        )
        if req is not None
        else None
    )
    rd = data.get("response")
    response = None
    if rd is not None:
        response = Response(
            status=rd.get("status"), headers=rd.get("headers", {}), body=rd.get("body"), raw_body=rd.get("raw_body")
        )
        if "raw_body" in rd and "body" not in rd:
            try:
                response.body = json.loads(rd["raw_body"])
            except ValueError as exc:
                response.body_error = str(exc)
        if "events" in rd:
            response.events = [_event(i, e) for i, e in enumerate(rd["events"])]
            # What the SSE parser would have seen had the events been sent as OpenAI sends them:
            # an `event:` line when the event names one, `data: ` with a space.
            response.framing = Framing(
                kind="sse",
                done_sentinel=any(e.done for e in response.events),
                unterminated_tail=bool(rd.get("unterminated_tail")),
                event_lines=sum(1 for e in response.events if e.event is not None),
                data_with_space=len(response.events),
            )
            if rd.get("invalid_utf8"):  # Framing.invalid_utf8: bytes the decoder had to replace
                response.framing.invalid_utf8 = rd["invalid_utf8"]
    # Exchange.meta (a case's `expect:`, a fragment mark) travels with the exchange, as importers set it.
    return Exchange(
        request=request, response=response, index=index, source=source, meta=copy.deepcopy(data.get("meta") or {})
    )


def _event(i: int, e: dict) -> Event:
    if e.get("done"):
        return Event(index=i, raw="[DONE]", done=True)
    if "data" in e:
        return Event(index=i, data=e["data"], raw=json.dumps(e["data"]), event=e.get("event"))
    raw = e.get("raw", "")
    try:
        return Event(index=i, data=json.loads(raw), raw=raw, event=e.get("event"))
    except ValueError as exc:
        return Event(index=i, raw=raw, event=e.get("event"), parse_error=str(exc))


def build(base: dict, source: str, mutations: dict[int, list[dict]] | None = None) -> list[Exchange]:
    """The base's exchanges, with `mutations[exchange index]` ops applied to a copy."""
    raw = copy.deepcopy(base["exchanges"])
    for idx, ops in (mutations or {}).items():
        for op in ops:
            apply_op(raw[idx], op)
    return [to_exchange(x, i, source) for i, x in enumerate(raw)]


def judge(base: str, check_id: str, ops: list[dict] | None = None, exchange: int = 0, provider: Any = None):
    """Findings of one check on one exchange of a (mutated) base, plus the context's infrastructure errors."""
    from respcompat.checks import CheckContext, run_checks

    xs = build(load_base(base), base, {exchange: ops} if ops else None)
    ctx = CheckContext(provider=provider, contracts=None, exchanges=xs)
    findings = run_checks(xs[exchange], ctx, only=[check_id])
    assert not ctx.errors, ctx.errors
    return findings
