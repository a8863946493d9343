"""The output-item state machine of a stream: stream.item_lifecycle and stream.indexes.

An item is opened by `output_item.added` and closed by `output_item.done`; a content part (`content_index`) or
reasoning summary part (`summary_index`) by its `*_part.added` / `*_part.done`. Every other event that names an
item or part must fall inside that window, and every window must be closed before `response.completed` or
`response.incomplete` (a failed stream may stop mid-item).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..exchange import Exchange
from ..findings import Finding
from . import check
from ._wire import finding, is_resumed, misplaced, payloads, say, type_of

LIFE, IDX = "stream.item_lifecycle", "stream.indexes"
# (added event, done event, index key) for the two kinds of parts.
_PARTS = {
    "content_index": ("response.content_part.added", "response.content_part.done"),
    "summary_index": ("response.reasoning_summary_part.added", "response.reasoning_summary_part.done"),
}
_PART_EVENTS = {t: key for key, pair in _PARTS.items() for t in pair}


@dataclass
class _Item:
    id: str | None  # only a string id is compared (another type is the schema check's finding)
    done: bool = False
    late: bool = False  # an event after output_item.done was reported (once per item)
    parts: dict[str, dict[Any, bool]] = field(default_factory=lambda: {"content_index": {}, "summary_index": {}})


def _item_id(d: dict) -> str | None:
    item = d.get("item")
    value = item.get("id") if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def _trace(exchange: Exchange) -> Iterator[Finding]:
    events = payloads(exchange)
    bad = misplaced(events)
    if bad is not None:
        # The items cannot be told apart: say so once; the state machine stands down rather than misfire.
        e, key, count = bad
        yield finding(
            IDX,
            "/" + key,
            f"{key} missing or not a non-negative integer: the stream's items cannot be placed",
            expected="a non-negative integer",
            actual=e.data.get(key, "<missing>"),
            event=e.index,
            events_affected=count,
        )
        return
    items: dict[int, _Item] = {}
    ids: set[str] = set()
    unknown: set[tuple] = set()  # (output_index, key, part index) already reported as never added
    resumed = is_resumed(exchange)
    for e in events:
        d, t = e.data, type_of(e)
        oi = d.get("output_index")
        if t == "response.output_item.added":
            item_id = _item_id(d)
            if oi in items:
                if items[oi].id == item_id:
                    yield finding(
                        LIFE,
                        "/output_index",
                        "item added twice",
                        expected="one output_item.added",
                        actual=oi,
                        event=e.index,
                    )
                else:  # another item under an index already in use
                    yield finding(
                        IDX,
                        "/output_index",
                        "output_index reused for another item",
                        expected=len(items),
                        actual=oi,
                        event=e.index,
                    )
                continue
            if oi != len(items) and not resumed:
                yield finding(
                    IDX,
                    "/output_index",
                    "output_index must count the added items from 0",
                    expected=len(items),
                    actual=oi,
                    event=e.index,
                )
            if item_id is not None and item_id in ids:
                yield finding(
                    IDX,
                    "/item/id",
                    "item id reused by another output_index",
                    expected="a new id",
                    actual=item_id,
                    event=e.index,
                )
            items[oi] = _Item(item_id)
            if item_id is not None:
                ids.add(item_id)
            continue
        if oi is None or t in ("response.created", "response.queued", "response.in_progress"):
            continue
        item = items.get(oi)
        if item is None:
            # A resumed stream may talk about items added before the resume point; one finding per item.
            if not resumed and (oi, None, None) not in unknown:
                unknown.add((oi, None, None))
                yield finding(
                    LIFE,
                    "/output_index",
                    f"{say(t)} for an item that was never added",
                    expected="a preceding output_item.added",
                    actual=oi,
                    event=e.index,
                )
            continue
        if item.done and not item.late:
            item.late = True
            yield finding(
                LIFE,
                "/output_index",
                f"{say(t)} after the item's output_item.done",
                expected="an open item",
                actual=oi,
                event=e.index,
            )
        if t == "response.output_item.done":
            if item.done:
                continue
            done_id = _item_id(d)
            if done_id != item.id and done_id is not None and item.id is not None:
                yield finding(
                    IDX,
                    "/item/id",
                    "output_item.done id differs from output_item.added",
                    expected=item.id,
                    actual=done_id,
                    event=e.index,
                )
            for key, parts in item.parts.items():
                for pi, closed in parts.items():
                    if not closed:
                        yield finding(
                            LIFE,
                            "/output_index",
                            f"item done while its part {key}={pi} is still open",
                            expected=f"{_PARTS[key][1]} first",
                            actual=t,
                            event=e.index,
                        )
            item.done = True
            continue
        if isinstance(d.get("item_id"), str) and item.id is not None and d["item_id"] != item.id:
            yield finding(
                IDX,
                "/item_id",
                "item_id does not match the item at output_index",
                expected=item.id,
                actual=d["item_id"],
                event=e.index,
            )
        yield from _part_event(item, e, t, d, oi, unknown)
    yield from _unclosed(events, items)


def _part_event(item: _Item, e, t: str | None, d: dict, oi: int, unknown: set) -> Iterator[Finding]:
    key = _PART_EVENTS.get(t) if t is not None else None
    if key is not None:
        pi, parts = d.get(key), item.parts[key]
        if t == _PARTS[key][0]:
            if pi in parts:
                yield finding(LIFE, "/" + key, "part added twice", expected="a new index", actual=pi, event=e.index)
            elif pi != len(parts):
                yield finding(
                    IDX,
                    "/" + key,
                    f"{key} must count the added parts from 0",
                    expected=len(parts),
                    actual=pi,
                    event=e.index,
                )
            parts[pi] = False
        else:
            if pi not in parts:
                yield finding(
                    LIFE,
                    "/" + key,
                    f"{t} for a part that was never added",
                    expected=f"a preceding {_PARTS[key][0]}",
                    actual=pi,
                    event=e.index,
                )
            elif parts[pi]:
                yield finding(
                    LIFE, "/" + key, "part done twice", expected="one done per part", actual=pi, event=e.index
                )
            parts[pi] = True
        return
    for key in _PARTS:
        if key in d:
            pi, parts = d[key], item.parts[key]
            if pi not in parts:
                if (oi, key, pi) not in unknown:  # one finding per part, not one per delta
                    unknown.add((oi, key, pi))
                    yield finding(
                        LIFE,
                        "/" + key,
                        f"{say(t)} for a part that was never added",
                        expected=f"a preceding {_PARTS[key][0]}",
                        actual=pi,
                        event=e.index,
                    )
            elif parts[pi] and (oi, key, pi) not in unknown:
                unknown.add((oi, key, pi))
                yield finding(
                    LIFE,
                    "/" + key,
                    f"{say(t)} after the part's {_PARTS[key][1]}",
                    expected="an open part",
                    actual=pi,
                    event=e.index,
                )


def _unclosed(events: list, items: dict[int, _Item]) -> Iterator[Finding]:
    end = next((e for e in reversed(events) if type_of(e) in ("response.completed", "response.incomplete")), None)
    if end is None:
        return  # truncated or failed: stream.terminal_event / status checks say so
    open_items = [(oi, item.id) for oi, item in items.items() if not item.done]
    if not open_items:
        return
    named = ", ".join(f"{oi} ({item_id})" for oi, item_id in open_items[:5]) + (", ..." if len(open_items) > 5 else "")
    # One finding for all of them: each open item is the same problem, at the same terminal event.
    yield finding(
        LIFE,
        "",
        f"item {named} never got output_item.done"
        if len(open_items) == 1
        else f"{len(open_items)} items never got output_item.done: {named}",
        expected="output_item.done before the terminal event",
        actual=type_of(end),
        event=end.index,
        open_items=[oi for oi, _ in open_items[:20]],
    )


@check(
    LIFE,
    description="no event for an item/part not added or already done; every added item is done",
    applies_to="stream",
    whole_stream=True,
)
def item_lifecycle(exchange: Exchange, ctx) -> Iterator[Finding]:
    return (f for f in _trace(exchange) if f.check == LIFE)


@check(
    IDX,
    description="output_index / content_index / item_id consistent with the added items",
    applies_to="stream",
    whole_stream=True,
)
def indexes(exchange: Exchange, ctx) -> Iterator[Finding]:
    return (f for f in _trace(exchange) if f.check == IDX)
