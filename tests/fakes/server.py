"""A conforming fake of OpenAI's Responses API on 127.0.0.1, with planted faults switched on by the URL.

    with FakeResponsesServer() as base_url:            # http://127.0.0.1:<port>/v1
        ...
    server.fault_url("cut-stream")                      # http://127.0.0.1:<port>/fault/cut-stream/v1

As a script, for a person: `python -m tests.fakes.server --port 8399 [--faults a,b]`, then
`pytest --provider=openai --base-url=http://127.0.0.1:8399/v1 --record-mode=all --cassette-dir=/tmp/c`.
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from . import faults as fault_spec
from . import params
from .model import cut, item_texts, think, words
from .validate import ApiError, bad, check_compact, check_create, conversation_id, input_items
from .wire import echo, error, new_id, output_items, response_object, sse, stream_events, usage

DEFAULT_KEY = "sk-fake-key-000"
# Prompt templates the fake knows (OpenAI's are made in the dashboard; there is no API to create one).
PROMPTS = {"pmpt_respcompat": "You are the respcompat test prompt; the topic is {{topic}}."}
MAX_BODY = 8 * 1024 * 1024
NOT_FOUND_PAGE = b"404 page not found\n"  # what an unimplemented route of a Go gateway answers


@dataclass
class Stored:
    """One created response, kept whatever `store` said (so a fault can leak it)."""

    response: dict[str, Any]
    items: list[dict[str, Any]]  # this turn's input items
    parent: str | None
    store: bool
    background: bool = False
    pending: dict[str, Any] | None = None  # a background response's final state, revealed on the first poll
    deleted: bool = False


@dataclass
class Conversation:
    """A conversation object: its items grow with every response created in it."""

    id: str
    created_at: int
    metadata: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False


@dataclass
class State:
    responses: dict[str, Stored] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    refused_once: set[bytes] = field(default_factory=set)  # 429-once: request keys refused, retry goes through
    lock: threading.Lock = field(default_factory=threading.Lock)

    def chain(self, rid: str | None) -> list[Stored]:
        """The stored responses from the first turn to `rid`, oldest first."""
        out: list[Stored] = []
        while rid and rid in self.responses and len(out) < 1000:
            out.append(self.responses[rid])
            rid = self.responses[rid].parent
        return out[::-1]

    def context(self, rid: str | None) -> list[dict[str, Any]]:
        """Every item of the conversation up to and including response `rid`'s output."""
        return [item for s in self.chain(rid) for item in s.items + s.response.get("output", [])]


class FakeResponsesServer:
    """`with FakeResponsesServer(faults=...) as base_url:` serves on a free loopback port until the block ends."""

    def __init__(
        self,
        faults: Any = None,
        *,
        api_key: str = DEFAULT_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        models: tuple[str, ...] = (),
        delay: float = 3.0,
        hang_seconds: float = 60.0,
        prompts: dict[str, str] | None = None,
    ) -> None:
        self.faults = fault_spec.parse(faults)
        self.api_key, self.host, self.port = api_key, host, port
        self.models = frozenset(models)
        self.prompts = dict(PROMPTS if prompts is None else prompts)  # prompt id -> template ({{name}} variables)
        self.delay, self.hang_seconds = delay, hang_seconds
        self.state = State()
        self.received = 0  # requests that reached a handler (a test waits on it, never on the clock)
        self._creates = 0  # creates seen, for flaky-crash
        self._creates_lock = threading.Lock()
        self.stopping = threading.Event()
        self.httpd: ThreadingHTTPServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------------

    def count_create(self) -> int:
        """How many creates this server has seen, this one included (handlers run in threads)."""
        with self._creates_lock:
            self._creates += 1
            return self._creates

    def start(self) -> str:
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = _Server((self.host, self.port), handler)
        self.port = self.httpd.server_port
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self.base_url

    def stop(self) -> None:
        self.stopping.set()  # wakes hanging and slow handlers
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def root(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def fault_url(self, *names: str) -> str:
        """The base URL that switches on `names` (each `name` or `name=value`) for the requests sent to it."""
        fault_spec.parse(list(names))
        return f"{self.root}/fault/{quote(','.join(names), safe='=,:')}/v1"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client that went away is no news
        pass


class _Handler(BaseHTTPRequestHandler):
    fake: FakeResponsesServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: with Nagle, each answer waits ~40 ms for an ACK
    timeout = 30  # an idle keep-alive connection does not hold its thread forever
    server_version = "respcompat-fake/1"
    sys_version = ""

    def log_message(self, *args: Any) -> None:  # quiet: tests and people read their own output
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    # --- dispatch ----------------------------------------------------------------------------------------------

    def _serve(self) -> None:
        self.extra_headers: dict[str, str] = {}
        self.faults = dict(self.fake.faults)  # a kept-alive connection reuses this handler: nothing carries over
        with self.fake.state.lock:
            self.fake.received += 1
        try:
            raw = self._body()
            self._dispatch(raw)
        except ApiError as exc:
            body = exc.body
            if "error-no-param" in self.faults and 400 <= exc.status < 500:
                body = params.anonymous(body)
            self._json(exc.status, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # noqa: BLE001  the fake never dies on a request; it answers as OpenAI does
            self._json(500, error("The server had an error while processing your request.", type_="server_error"))

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
                if len(out) > MAX_BODY:
                    raise bad("Request body too large.", status=413)
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            self.close_connection = True
            raise bad("Invalid Content-Length header.") from None
        if length > MAX_BODY:
            self.close_connection = True
            raise bad("Request body too large.", status=413)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, raw: bytes) -> None:
        fake = self.fake
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query)
        self.faults = dict(fake.faults)
        if path.startswith("/fault/"):  # cut before unquoting, so a value may hold an encoded `/`
            spec, _, rest = path[len("/fault/") :].partition("/")
            try:
                self.faults.update(fault_spec.parse(unquote(spec)))
            except fault_spec.UnknownFault as exc:
                raise bad(str(exc), "url", "unknown_fault") from None
            path = "/" + rest
        path = unquote(path)
        self.key = _bearer(self.headers.get("authorization"))
        if "echo-key-header" in self.faults and self.key:
            self.extra_headers["x-caller-key"] = self.key
        if "hang" in self.faults:
            fake.stopping.wait(float(self.faults["hang"] or fake.hang_seconds))
            self.close_connection = True
            return  # never answered: the client sees the connection close after its timeout
        if "slow-first-byte" in self.faults:
            delay = (query.get("delay") or [None])[0] or self.faults["slow-first-byte"] or fake.delay
            fake.stopping.wait(float(delay))
        if "503-always" in self.faults:
            raise ApiError(503, error("The server is overloaded or not ready yet.", type_="server_error"))
        if "429-once" in self.faults and self._refuse_once(path, raw):
            self.extra_headers["retry-after"] = "0"
            raise ApiError(
                429,
                error(
                    "Rate limit reached for requests. Please try again in 0s.",
                    type_="requests",
                    code="rate_limit_exceeded",
                ),
            )
        self._authorize()
        self._route(self.command, path, raw, query)

    def _refuse_once(self, path: str, raw: bytes) -> bool:
        key = f"{self.command} {path} ".encode() + raw
        with self.fake.state.lock:
            if key in self.fake.state.refused_once:
                self.fake.state.refused_once.discard(key)
                return False
            self.fake.state.refused_once.add(key)
            return True

    def _authorize(self) -> None:
        if not self.key:
            raise ApiError(
                401,
                error(
                    "You didn't provide an API key. You need to provide your API key in an "
                    "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                ),
            )
        if self.key != self.fake.api_key:
            masked = self.key[:3] + "*" * max(len(self.key) - 7, 1) + self.key[-4:] if len(self.key) > 10 else "***"
            raise ApiError(
                401,
                error(
                    f"Incorrect API key provided: {masked}. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    code="invalid_api_key",
                ),
            )

    def _route(self, method: str, path: str, raw: bytes, query: dict[str, list[str]]) -> None:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["v1", "responses"]:
            rest = parts[2:]
            if method == "POST" and not rest:
                return self._create(raw)
            if method == "GET" and not rest and "no-websocket" not in self.faults:
                return self._websocket()
            if method == "POST" and rest == ["input_tokens"]:
                return self._input_tokens(raw)
            if method == "POST" and rest == ["compact"]:
                return self._compact(raw)
            if method == "GET" and len(rest) == 1:
                return self._retrieve(rest[0])
            if method == "DELETE" and len(rest) == 1:
                return self._delete(rest[0])
            if method == "GET" and len(rest) == 2 and rest[1] == "input_items":
                return self._input_items(rest[0], query)
            if method == "POST" and len(rest) == 2 and rest[1] == "cancel":
                return self._cancel(rest[0])
        if parts[:2] == ["v1", "conversations"] and len(parts) <= 3:
            return self._conversation(method, parts[2] if len(parts) == 3 else None, raw)
        raise bad(f"Invalid URL ({method} {path})", status=404)

    # --- endpoints ---------------------------------------------------------------------------------------------

    def _websocket(self) -> None:
        """The WebSocket mode's handshake (RFC 6455): 101 with the accept key; the socket is then closed (no events)."""
        import base64
        import hashlib

        key = self.headers.get("sec-websocket-key") or ""
        if (self.headers.get("upgrade") or "").lower() != "websocket" or not key:
            raise bad("Invalid URL (GET /v1/responses)", status=404)
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        self.send_response(101)
        self.send_header("upgrade", "websocket")
        self.send_header("connection", "Upgrade")
        self.send_header("sec-websocket-accept", accept.decode())
        self.end_headers()
        self.close_connection = True

    def _create(self, raw: bytes) -> None:
        f = self.faults
        if "echo-key-error" in f:
            raise bad(f"Request refused for API key {self.key}: this organization is not verified.")
        if "error-type-bad" in f:
            raise ApiError(400, error("The request could not be handled.", type_="bad_thing"))
        body = _parse(raw)
        if "flaky-crash" in f and self.fake.count_create() % 2 == 0:
            raise ApiError(500, error("The server had an error while processing your request.", type_="server_error"))
        params.crash(f, body)
        params.reject(f, body)
        work, lenient = body, {}
        for _ in range(32):  # accept-invalid: drop what the server lets through, then try again
            try:
                check_create(work, self.fake.models, conversations=self._conversation_ids(), prompts=self.fake.prompts)
                applied = params.ignore(f, work)
                final, stored = self._answer(applied)
                break
            except ApiError as exc:
                path = params.lenient(f, exc, work)
                if path is None:
                    raise
                work = copy.deepcopy(work)
                lenient[path] = params.get(body, path)
                params.drop(work, path)
        else:
            raise bad("The request could not be handled.")
        for path, value in lenient.items():  # echoed as sent, as a server that never looked at it
            for doc in (final, stored.response, stored.pending):
                params.put(doc, path, value)
        with self.fake.state.lock:
            self.fake.state.responses[final["id"]] = stored
            cid = conversation_id(applied.get("conversation"))
            if cid is not None:
                self.fake.state.conversations[cid].items.extend(stored.items + copy.deepcopy(final["output"]))
        if applied.get("stream"):
            options = applied.get("stream_options") or {}
            return self._stream(final, obfuscation=options.get("include_obfuscation", True) is not False)
        self._send_create(stored.response)

    def _conversation_ids(self) -> set[str]:
        with self.fake.state.lock:
            return {cid for cid, c in self.fake.state.conversations.items() if not c.deleted}

    def _answer(self, body: dict[str, Any]) -> tuple[dict[str, Any], Stored]:
        """The final response object for a valid create, and what the store keeps of it."""
        f, state = self.faults, self.fake.state
        items = input_items(body.get("input"))
        prev = body.get("previous_response_id")
        if "ignore-previous-response-id" in f:
            prev = None
        with state.lock:
            if prev is not None:
                known = state.responses.get(prev)
                if known is None or known.deleted or not known.store:
                    raise bad(
                        f"Previous response with id '{prev}' not found.",
                        "previous_response_id",
                        "previous_response_not_found",
                    )
            cid = conversation_id(body.get("conversation"))
            earlier = state.conversations[cid].items if cid is not None else state.context(prev)
            context = copy.deepcopy(earlier) + items
        _check_calls(context, items)
        instructions = None if "ignore-instructions" in f else body.get("instructions")
        prompt = self._prompt_text(body.get("prompt"))
        dropped = "drop-text-format" in f
        text = None if dropped and f["drop-text-format"] != "echo" else body.get("text")
        if ((text or {}).get("format") or {}).get("type") == "json_object" and "json" not in " ".join(
            t for i in context for t in item_texts(i)
        ).lower():
            raise bad(
                "Response input messages must contain the word 'json' in some form to use 'text.format' of "
                "type 'json_object'.",
                "input",
            )
        told = " ".join(t for t in (prompt, instructions) if t) or None
        answer = think({**body, "instructions": told, "text": text}, context, use_format=not dropped)
        limit = body.get("max_output_tokens")
        complete = True
        if answer.kind == "text" and limit and words(answer.text) > limit and "ignore-max-output-tokens" not in f:
            answer.text, complete = cut(answer.text, limit), False
        effort = (body.get("reasoning") or {}).get("effort")
        include = body.get("include") or []
        output = output_items(
            answer,
            complete=complete,
            reasoning=effort not in (None, "none"),
            top_logprobs=(body.get("top_logprobs") or 0) if "message.output_text.logprobs" in include else None,
            encrypted="reasoning.encrypted_content" in include,
        )
        spent = words(answer.text) if answer.kind == "text" else max(words(answer.arguments), 1)
        heard = sum(words(t) for i in context for t in item_texts(i)) + words(told or "")
        now = int(time.time())
        echoed = echo(body, instructions=instructions, previous_response_id=prev, text=text)
        if "echo-key-body" in f:
            echoed["metadata"] = {**echoed["metadata"], "caller_key": self.key}
        final = response_object(
            new_id("resp"),
            now,
            echoed,
            status="completed" if complete else "incomplete",
            output=output,
            usage=usage(max(heard, 1), spent),
            completed_at=now,
            incomplete_reason=None if complete else "max_output_tokens",
        )
        if "extra-fields" in f:
            final["timings"] = {"prompt_n": heard, "prompt_ms": 1.0, "predicted_n": spent, "predicted_ms": 1.0}
        stored = Stored(
            final, items, prev, store=body.get("store", True) is not False, background=bool(body.get("background"))
        )
        if stored.background and not body.get("stream"):
            stored.pending = final
            stored.response = {
                **final,
                "status": "queued",
                "completed_at": None,
                "incomplete_details": None,
                "output": [],
                "usage": None,
            }
        return final, stored

    def _prompt_text(self, prompt: Any) -> str | None:
        """A known prompt's template with its string variables filled in."""
        if not isinstance(prompt, dict) or prompt.get("id") not in self.fake.prompts:
            return None
        text = self.fake.prompts[prompt["id"]]
        for name, value in (prompt.get("variables") or {}).items():
            if isinstance(value, dict):
                value = value.get("text", "")
            text = text.replace("{{" + name + "}}", str(value))
        return text

    def _send_create(self, doc: dict[str, Any]) -> None:
        payload = fault_spec.create_body(self.faults, doc)
        if payload is None:
            return self._json(200, doc)
        self._raw(200, payload[0], payload[1])

    def _stream(self, final: dict[str, Any], *, obfuscation: bool = True) -> None:
        f = self.faults
        events = fault_spec.stream(f, stream_events(final, obfuscation=obfuscation or "extra-fields" in f))
        blocks = sse(events, event_lines="no-event-lines" not in f)
        if "cut-stream" in f:
            blocks = blocks[: len(blocks) // 2]
        if "done-sentinel" in f:
            blocks.append(b"data: [DONE]\n\n")
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")  # as OpenAI streams
        self._headers_extra()
        self.end_headers()
        for block in blocks:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
            self.wfile.flush()
        if "cut-stream" in f:  # no last chunk: the client sees the body end early, as when a proxy drops it
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")

    def _lookup(self, rid: str, *, for_retrieve: bool = False) -> Stored:
        with self.fake.state.lock:
            s = self.fake.state.responses.get(rid)
        visible = (
            s is not None
            and (not s.deleted or for_retrieve and "retrieve-after-delete" in self.faults)
            and (s.store or for_retrieve and "store-false-retrievable" in self.faults)
        )
        if not visible:
            raise bad(f"Response with id '{rid}' not found.", status=404)
        return s

    def _retrieve(self, rid: str) -> None:
        if "no-retrieve" in self.faults:
            return self._raw(404, NOT_FOUND_PAGE, "text/plain; charset=utf-8")
        s = self._lookup(rid, for_retrieve=True)
        with self.fake.state.lock:
            if s.pending is not None:  # a background response finishes by the time it is polled
                s.response, s.pending = s.pending, None
            doc = copy.deepcopy(s.response)
        if "retrieve-differs" in self.faults:
            for item in doc.get("output", []):
                for part in item.get("content") or []:
                    if part.get("type") == "output_text":
                        part["text"] += " (retrieved later)"
            if not any(i.get("type") == "message" for i in doc.get("output", [])):
                doc["output"] = []
        self._json(200, doc)

    def _delete(self, rid: str) -> None:
        if "no-delete" in self.faults:
            return self._raw(404, NOT_FOUND_PAGE, "text/plain; charset=utf-8")
        s = self._lookup(rid)
        s.deleted = True
        self._json(200, {"id": rid, "object": "response.deleted", "deleted": True})

    def _input_items(self, rid: str, query: dict[str, list[str]]) -> None:
        if "no-input-items" in self.faults:
            return self._raw(404, NOT_FOUND_PAGE, "text/plain; charset=utf-8")
        s = self._lookup(rid)
        with self.fake.state.lock:
            earlier = self.fake.state.context(s.parent)
        data = earlier + s.items
        order = (query.get("order") or ["desc"])[0]
        if order not in ("asc", "desc"):
            raise bad(f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", "order", "invalid_value")
        try:
            limit = int((query.get("limit") or ["20"])[0])
        except ValueError:
            raise bad("Invalid type for 'limit': expected an integer.", "limit", "invalid_type") from None
        if not 1 <= limit <= 100:
            raise bad(
                f"Invalid 'limit': expected a value between 1 and 100, but got {limit} instead.",
                "limit",
                "invalid_value",
            )
        data = data[::-1] if order == "desc" else data
        after = (query.get("after") or [None])[0]
        if after is not None:
            ids = [i["id"] for i in data]
            data = data[ids.index(after) + 1 :] if after in ids else []
        page = data[:limit]
        self._json(
            200,
            {
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": len(data) > limit,
            },
        )

    def _cancel(self, rid: str) -> None:
        s = self._lookup(rid)
        if not s.background:
            raise bad("Only responses created with background=true can be cancelled.")
        with self.fake.state.lock:
            if s.pending is not None:
                s.response, s.pending = {**s.response, "status": "cancelled"}, None
            doc = copy.deepcopy(s.response)
        self._json(200, doc)

    def _conversation(self, method: str, cid: str | None, raw: bytes) -> None:
        """POST /conversations creates one (with optional `items`); GET and DELETE /conversations/{id}."""
        state = self.fake.state
        if method == "POST" and cid is None:
            body = _parse(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise bad("We could not parse the JSON body of your request. The OpenAI API expects a JSON object.")
            metadata = body.get("metadata") or {}
            if not isinstance(metadata, dict):
                raise bad("Invalid type for 'metadata': expected an object.", "metadata", "invalid_type")
            conv = Conversation(new_id("conv"), int(time.time()), metadata, input_items(body.get("items")))
            with state.lock:
                state.conversations[conv.id] = conv
            return self._json(200, _conversation_object(conv))
        with state.lock:
            conv = state.conversations.get(cid or "")
        if conv is None or conv.deleted or method not in ("GET", "DELETE"):
            if conv is not None and not conv.deleted:
                raise bad(f"Invalid URL ({method} /v1/conversations/{cid})", status=404)
            raise bad(f"Conversation with id '{cid}' not found.", status=404)
        if method == "DELETE":
            conv.deleted = True
            return self._json(200, {"id": conv.id, "object": "conversation.deleted", "deleted": True})
        self._json(200, _conversation_object(conv))

    def _input_tokens(self, raw: bytes) -> None:
        body = _parse(raw)
        if not isinstance(body, dict):
            raise bad("We could not parse the JSON body of your request. The OpenAI API expects a JSON object.")
        items = input_items(body.get("input"))
        with self.fake.state.lock:
            context = self.fake.state.context(body.get("previous_response_id")) + items
        instructions = body.get("instructions") if isinstance(body.get("instructions"), str) else ""
        count = sum(words(t) for i in context for t in item_texts(i)) + words(instructions)
        self._json(200, {"object": "response.input_tokens", "input_tokens": max(count, 1)})

    def _compact(self, raw: bytes) -> None:
        """The conversation's user messages kept, the rest folded into one opaque compaction item."""
        body = _parse(raw)
        check_compact(body, self.fake.models)
        items = input_items(body.get("input"))
        with self.fake.state.lock:
            if body.get("previous_response_id") and body["previous_response_id"] not in self.fake.state.responses:
                raise bad(
                    f"Previous response with id '{body['previous_response_id']}' not found.",
                    "previous_response_id",
                    "previous_response_not_found",
                )
            context = self.fake.state.context(body.get("previous_response_id")) + items
        kept = [i for i in context if i.get("type") == "message" and i.get("role") == "user"]
        folded = " ".join(t for i in context for t in item_texts(i))
        sealed = base64.b64encode(folded.encode()).decode()
        heard = words(folded) + words(body.get("instructions") or "")
        self._json(
            200,
            {
                "id": new_id("resp"),
                "object": "response.compaction",
                "created_at": int(time.time()),
                "output": kept + [{"id": new_id("cmp"), "type": "compaction", "encrypted_content": sealed}],
                "usage": usage(max(heard, 1), words(folded)),
            },
        )

    # --- writing -----------------------------------------------------------------------------------------------

    def _headers_extra(self) -> None:
        self.send_header("x-request-id", new_id("req")[:36])
        for name, value in self.extra_headers.items():
            self.send_header(name, value)

    def _raw(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self._headers_extra()
        self.end_headers()
        self.wfile.write(payload)

    def _json(self, status: int, doc: Any) -> None:
        self._raw(status, json.dumps(doc, ensure_ascii=False).encode("utf-8"), "application/json")


def _conversation_object(conv: Conversation) -> dict[str, Any]:
    return {"id": conv.id, "object": "conversation", "created_at": conv.created_at, "metadata": conv.metadata}


def _bearer(header: str | None) -> str:
    scheme, _, value = (header or "").strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
            "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid "
            "JSON.)"
        ) from None


def _check_calls(context: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """A function_call_output must answer a function call of the conversation, as OpenAI insists."""
    calls = {i.get("call_id") for i in context if i.get("type") == "function_call"}
    for item in items:
        if item["type"] == "function_call_output" and item["call_id"] not in calls:
            raise bad(f"No tool call found for function call output with call_id {item['call_id']}.", "input")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8399)
    p.add_argument("--faults", default="", help="comma-separated: " + ", ".join(sorted(fault_spec.FAULTS)))
    p.add_argument("--key", default=DEFAULT_KEY, help=f"the API key it accepts (default {DEFAULT_KEY})")
    args = p.parse_args(argv)
    server = FakeResponsesServer(args.faults, api_key=args.key, host=args.host, port=args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `kill` stops it as cleanly as Ctrl-C
    print(
        f"fake Responses API on {server.start()} (faults: {', '.join(server.faults) or 'none'}); Ctrl-C stops it",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
