"""Accumulation checks: deltas add up to their done event, the part, the item and the terminal response."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._diff import first_diff
from ._wire import by_type, finding, is_resumed, misplaced, payloads, ptr, terminal


@dataclass(frozen=True)
class _Stream:
    """One streamed string: its delta/done events and where the finished value reappears."""

    check: str
    delta: str
    done: str
    field: str  # the done event's field holding the full value
    key: str | None = None  # the part index key; None = the value is a field of the item itself
    part_done: str | None = None
    part_type: str | None = None
    container: str | None = None  # the item's list of parts ("content", "summary")


_STREAMS = (
    _Stream(
        "accumulate.output_text",
        "response.output_text.delta",
        "response.output_text.done",
        "text",
        "content_index",
        "response.content_part.done",
        "output_text",
        "content",
    ),
    _Stream(
        "accumulate.output_text",
        "response.refusal.delta",
        "response.refusal.done",
        "refusal",
        "content_index",
        "response.content_part.done",
        "refusal",
        "content",
    ),
    _Stream(
        "accumulate.reasoning",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "text",
        "summary_index",
        "response.reasoning_summary_part.done",
        "summary_text",
        "summary",
    ),
    _Stream(
        "accumulate.reasoning",
        "response.reasoning_text.delta",
        "response.reasoning_text.done",
        "text",
        "content_index",
        "response.content_part.done",
        "reasoning_text",
        "content",
    ),
    _Stream(
        "accumulate.function_call_arguments",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "arguments",
    ),
)


# OpenAI re-encrypts reasoning between output_item.done and the terminal event: the blobs differ on every
# real stream (realworld: pydantic-ai *_stream cassettes), so they are not compared.
_REENCRYPTED = frozenset({"encrypted_content"})


def _obj(value) -> dict:
    """`value` when it is an object, else {} (a wrong type is the schema check's finding)."""
    return value if isinstance(value, dict) else {}


def _output(end) -> list | None:
    out = _obj(end.data.get("response")).get("output") if end is not None else None
    return out if isinstance(out, list) else None


def _accumulate(exchange: Exchange, spec: _Stream) -> Iterator[Finding]:
    if is_resumed(exchange):
        return  # deltas before the resume point are not in this stream
    events = payloads(exchange)
    if misplaced(events) is not None:
        return  # events cannot be attributed to items: stream.indexes says so once
    deltas: dict[tuple, list[str]] = {}
    dones, part_dones, item_dones = {}, {}, {}
    groups = by_type(exchange)  # each kind of event in stream order: the four accumulations share one grouping

    def key_of(d: dict) -> tuple:
        return (d.get("output_index"), d.get(spec.key) if spec.key else None)

    for e in groups.get(spec.delta, ()):
        delta = e.data.get("delta")
        deltas.setdefault(key_of(e.data), []).append(delta if isinstance(delta, str) else "")
    for e in groups.get(spec.done, ()):
        dones[key_of(e.data)] = e
    for e in groups.get(spec.part_done, ()) if spec.part_done else ():
        if _obj(e.data.get("part")).get("type") == spec.part_type:
            part_dones[key_of(e.data)] = e
    for e in groups.get("response.output_item.done", ()):
        item_dones[e.data.get("output_index")] = e
    end = terminal(exchange)
    output = _output(end)
    for key in list(dones) + [k for k in deltas if k not in dones]:
        oi, pi = key
        joined = "".join(deltas.get(key, []))
        done = dones.get(key)
        if done is not None:
            value = done.data.get(spec.field)
            if value != joined:
                why = "deltas do not add up to" if key in deltas else "no deltas were streamed before"
                yield finding(
                    spec.check,
                    ptr(spec.field),
                    f"{spec.delta} {why} {spec.done}",
                    expected=joined,
                    actual=value,
                    event=done.index,
                )
        else:
            value = joined
        part = part_dones.get(key)
        if part is not None and _obj(part.data.get("part")).get(spec.field) != value:
            yield finding(
                spec.check,
                ptr("part", spec.field),
                f"{spec.part_done} differs from the streamed value",
                expected=value,
                actual=part.data["part"].get(spec.field),
                event=part.index,
            )
        item_done = item_dones.get(oi)
        if item_done is not None:
            yield from _compare_item(spec, item_done.data.get("item"), ("item",), pi, value, item_done.index)
        if output is not None and isinstance(oi, int) and oi < len(output):
            yield from _compare_item(spec, output[oi], ("response", "output", oi), pi, value, end.index)


def _compare_item(spec: _Stream, item, at: tuple, pi, value, event: int) -> Iterator[Finding]:
    if not isinstance(item, dict):
        return
    if spec.container is None:
        path, actual = at + (spec.field,), item.get(spec.field)
    else:
        parts = item.get(spec.container)
        part = parts[pi] if isinstance(parts, list) and isinstance(pi, int) and pi < len(parts) else None
        path = at + (spec.container, pi if pi is not None else "-", spec.field)  # "-": the deltas named no part
        actual = part.get(spec.field) if isinstance(part, dict) else None
    if actual != value:
        where = "the terminal response" if at[0] == "response" else "output_item.done"
        yield finding(
            spec.check,
            ptr(*path),
            f"{where} differs from the streamed value",
            expected=value,
            actual=actual,
            event=event,
        )


def _for(check_id: str):
    def run(exchange: Exchange, ctx) -> Iterator[Finding]:
        for spec in _STREAMS:
            if spec.check == check_id:
                yield from _accumulate(exchange, spec)

    return run


check(
    "accumulate.output_text",
    description="text deltas == output_text.done == content_part.done == item == output",
    applies_to="stream",
    whole_stream=True,
)(_for("accumulate.output_text"))
check(
    "accumulate.function_call_arguments",
    description="argument deltas == arguments.done == item arguments",
    applies_to="stream",
    whole_stream=True,
)(_for("accumulate.function_call_arguments"))
check(
    "accumulate.reasoning",
    description="reasoning deltas == their done event == the item",
    applies_to="stream",
    whole_stream=True,
)(_for("accumulate.reasoning"))


@check(
    "accumulate.output",
    description="output_item.done items == terminal response output",
    applies_to="stream",
    whole_stream=True,
)
def output(exchange: Exchange, ctx) -> Iterator[Finding]:
    end = terminal(exchange)
    if end is None or not isinstance(end.data.get("response"), dict):
        return
    resp = end.data["response"]
    if "output" not in resp:
        # OpenAI sends `output` on every terminal event, even `response.failed` (as []).
        yield finding(
            "accumulate.output",
            "/response/output",
            f"{end.type} has no output",
            expected="the output list",
            actual="<missing>",
            event=end.index,
        )
        return
    out = resp["output"]
    if not isinstance(out, list):
        return  # a schema matter
    events = payloads(exchange)
    if misplaced(events) is not None:
        return  # streamed items cannot be placed: stream.indexes says so once
    done = {e.data.get("output_index"): e for e in by_type(exchange).get("response.output_item.done", ())}
    whole = end.type != "response.failed"  # a failed response may keep only part of what was streamed
    for oi, e in sorted(done.items(), key=lambda kv: kv[1].index):
        item = e.data.get("item")
        if not isinstance(oi, int) or oi >= len(out):
            if whole:
                yield finding(
                    "accumulate.output",
                    ptr("response", "output", oi if oi is not None else "-"),
                    f"item {oi} was streamed but is missing from the terminal output",
                    expected=item,
                    actual="<missing>",
                    event=end.index,
                )
            continue
        diff = first_diff(item, out[oi], ignore=_REENCRYPTED)
        if diff is not None:
            sub, streamed, final = diff
            yield finding(
                "accumulate.output",
                ptr("response", "output", oi) + sub,
                "the terminal output item differs from its output_item.done",
                expected=streamed,
                actual=final,
                event=end.index,
                output_item_done=e.index,
            )
    if whole and not is_resumed(exchange):
        for oi in range(len(out)):
            if oi not in done:
                yield finding(
                    "accumulate.output",
                    ptr("response", "output", oi),
                    "the terminal output has an item that was never streamed",
                    expected="<missing>",
                    actual=(out[oi] or {}).get("id") if isinstance(out[oi], dict) else out[oi],
                    event=end.index,
                )
