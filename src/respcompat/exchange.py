"""One recorded or live HTTP exchange: the unit that importers produce and checks consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Framing:
    """What the SSE parser saw on the wire, for checks to judge (None = not observable)."""

    kind: str = "sse"  # "sse" | "jsonl" (one JSON event per line, framing stripped)
    data_without_space: int = 0  # `data:{...}` lines
    data_with_space: int = 0  # `data: {...}` lines
    event_lines: int = 0
    id_lines: int = 0
    comments: list[str] = field(default_factory=list)
    crlf: bool = False
    done_sentinel: bool = False  # a `data: [DONE]` event was seen
    unterminated_tail: bool = False  # bytes after the last blank line (a cut-off stream)
    retry_lines: int = 0
    invalid_utf8: int = 0  # bytes that were not UTF-8, decoded as U+FFFD (each maximal bad sequence counts once)


@dataclass(slots=True)  # a stream may hold a million of them: no per-instance __dict__
class Event:
    """One server-sent event. `data` is the parsed JSON payload, or None with `parse_error` set.

    An event is not changed once made (checks share it); to plant a fault, change the data and make the event again
    (`dataclasses.replace(event)`), or `type` keeps the old value.
    """

    index: int  # position in the stream, 0-based, counting every dispatched event
    data: Any = None
    raw: str = ""  # the data text; importers keep it only when it did not parse (`parse_error` set) or is [DONE]
    event: str | None = None  # the `event:` line, if any
    id: str | None = None  # the `id:` line, if any
    parse_error: str | None = None
    done: bool = False  # this is the `[DONE]` sentinel
    # The data's `type`, read once: checks ask for it about ten times per event.
    type: Any = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.type = self.data.get("type") if isinstance(self.data, dict) else None


@dataclass
class Request:
    method: str = "POST"
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: Any = None  # parsed JSON, or None
    raw_body: str | None = None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path if self.url else ""


@dataclass
class Response:
    status: int | None = None  # None when the recording kept only the body
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: Any = None  # parsed JSON for JSON bodies
    raw_body: str | None = None  # for a stream read from a file: its first RAW_PREFIX characters only
    events: list[Event] | None = None  # set for streams
    framing: Framing | None = None
    body_error: str | None = None  # the body could not be decoded/parsed

    @property
    def is_stream(self) -> bool:
        return self.events is not None


# What our cassettes say about an attempt that is not the provider's answer (an infrastructure error):
INFRA_HEADER = "x-respcompat-infra-error"  # on an answer cut mid-way: why it is incomplete
# On a stand-in for an attempt that got no answer at all (a timeout, a refused or dropped connection):
# "<httpx exception class>: <message>", with a status no server sends.
NO_ANSWER_HEADER = "x-respcompat-no-answer"
NO_ANSWER_STATUS = 599

RAW_PREFIX = 65536  # how much of a stream's text an imported Response keeps in raw_body (the events hold the rest)

ENDPOINTS = ("create", "retrieve", "delete", "input_items", "cancel", "input_tokens", "compact", "websocket", "other")


@dataclass
class Exchange:
    """A request (maybe unknown) and its response. `index` is its position in the source file."""

    request: Request | None
    response: Response | None
    index: int = 0
    source: str = ""  # file path or live URL
    label: str = ""  # human hint, e.g. the cassette interaction name
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        """create | retrieve | delete | input_items | cancel | other, from method+path, else from the body."""
        if self.request is not None and self.request.url:
            return classify_endpoint(self.request.method, self.request.path)
        return infer_endpoint_from_body(self.response)


def classify_endpoint(method: str, path: str) -> str:
    parts = [p for p in path.rstrip("/").split("/") if p]
    if "responses" not in parts:
        return "other"
    tail = parts[len(parts) - 1 - parts[::-1].index("responses") + 1 :]
    method = method.upper()
    if not tail:  # GET /responses has one meaning: the WebSocket mode's upgrade handshake
        return "create" if method == "POST" else "websocket" if method == "GET" else "other"
    if len(tail) == 1:
        if method == "POST" and tail[0] in ("input_tokens", "compact"):
            return tail[0]
        if method == "GET":
            return "retrieve"
        if method == "DELETE":
            return "delete"
        return "other"
    if tail[1] == "input_items" and method == "GET":
        return "input_items"
    if tail[1] == "cancel" and method == "POST":
        return "cancel"
    return "other"


def infer_endpoint_from_body(response: Response | None) -> str:
    if response is None:
        return "other"
    if response.events is not None:
        return "create"
    body = response.body
    if not isinstance(body, dict):
        return "other"
    if body.get("deleted") is not None:
        return "delete"
    if body.get("object") == "list" or ("data" in body and "first_id" in body):
        return "input_items"
    return "create"
