"""httpx client for live runs: base URL and auth from the profile, timeouts, a run deadline, retries with backoff,
a request rate, request and token budgets, and infrastructure errors kept apart from the provider's contract.

Every call appends an `Exchange` to `Transport.exchanges`, so a flow is judged as the list of what it sent. An answer
that arrived but is not the provider's real answer (a 429/5xx after every retry, a body cut mid-way) carries
`exchange.meta["infra_error"]`; when nothing arrived at all, `InfraError` is raised.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
import httpx

from .exchange import INFRA_HEADER, NO_ANSWER_HEADER, NO_ANSWER_STATUS, Exchange, Request, Response
from .importers._http import build_response, norm_headers
from .scrub import REDACTED, SECRET_HEADERS, credentials_in_request, redact, register_secret, scrub_body, scrub_url
from .sse import parse_sse

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Of those, what stays an infrastructure error once the retries are spent: rate limits and the gateway/availability
# family. A 500 that every attempt gets is the server's own answer to this request (a bug, or a feature it cannot
# serve), so it is judged like any answer: a finding, never silently "infrastructure".
INFRA_STATUSES = frozenset({429, 502, 503, 504})
# The stand-in answer for an attempt that got none (NO_ANSWER_STATUS, NO_ANSWER_HEADER): vcrpy records it like any
# answer, so a replay raises the same error at the same attempt; the transport turns it back into the exception before
# anything reads it.
TIMEOUT = httpx.Timeout(60.0, connect=10.0)  # kept for callers that pass `timeout=`
_CUT = "respcompat.cut"  # response extension: a dict that gets `note`, why the body ended early
_DEADLINE = "respcompat.deadline"  # request extension: the monotonic instant the run must stop at


class InfraError(Exception):
    """The provider could not be reached (timeout, connection error): recorded in the run, not a finding."""


class LimitReached(InfraError):
    """The run deadline passed or a request/token budget is spent: the request was not sent."""


# --- limits ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How long, how often and how much a run may send (profile `limits:`, then command-line overrides)."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0  # between two bytes, not for the whole answer: a stream may last longer
    deadline_s: float | None = 1800.0  # the whole run
    retries: int = 2
    rps: float | None = None  # requests per second, over the run
    concurrency: int | None = None  # requests in flight at once, over the run
    max_requests: int | None = None  # sent over the run, retries included
    max_tokens: int | None = None  # `usage.total_tokens` of the answers, over the run
    backoff: float = 1.0  # first retry waits about this long, then doubling (jittered)
    max_wait: float = 60.0  # cap on one wait, Retry-After included

    @classmethod
    def resolve(cls, profile: Any = None, **overrides: Any) -> Limits:
        """Defaults, then the profile's `limits:`, then every override that is not None."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (getattr(profile, "limits", None) or {}).items() if k in known}
        values.update({k: v for k, v in overrides.items() if v is not None and k in known})
        return cls(**values)


# Command-line option (pytest dest) -> Limits field; the plugin passes `Limits.resolve(profile, **from_options(...))`.
OPTIONS = {
    "connect_timeout": "connect_timeout",
    "read_timeout": "read_timeout",
    "deadline": "deadline_s",
    "retries": "retries",
    "rps": "rps",
    "concurrency": "concurrency",
    "budget_requests": "max_requests",
    "budget_tokens": "max_tokens",
}


def from_options(getoption: Callable[..., Any]) -> dict[str, Any]:
    """Limits overrides from pytest options (absent options are simply not overrides)."""
    return {field: getoption(opt, None) for opt, field in OPTIONS.items()}


def new_stats() -> dict[str, Any]:
    return {"requests": 0, "retries": 0, "waited_s": 0.0, "tokens": 0, "status": {}, "errors": {}, "infra_errors": 0}


class Run:
    """One run's shared allowance: deadline, budgets, request rate and concurrency, and what was spent."""

    def __init__(self, limits: Limits | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self.clock = clock
        self.deadline = clock() + self.limits.deadline_s if self.limits.deadline_s else None
        self.stats = new_stats()
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self.slots = threading.BoundedSemaphore(self.limits.concurrency) if self.limits.concurrency else None

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - self.clock()

    def admit(self) -> float:
        """Before a request: raise LimitReached, or return how long to wait for the rate limit (slot reserved)."""
        lim = self.limits
        with self._lock:
            left = self.remaining()
            if left is not None and left <= 0:
                raise LimitReached(f"run deadline of {lim.deadline_s:g} s reached")
            if lim.max_requests is not None and self.stats["requests"] >= lim.max_requests:
                raise LimitReached(f"request budget of {lim.max_requests} spent")
            if lim.max_tokens is not None and self.stats["tokens"] >= lim.max_tokens:
                raise LimitReached(f"token budget of {lim.max_tokens} spent ({self.stats['tokens']} used)")
            if not lim.rps:
                return 0.0
            now = self.clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / lim.rps
            return slot - now


def count(stats: dict[str, Any], key: str, name: str | int) -> None:
    bucket = stats[key]
    bucket[str(name)] = bucket.get(str(name), 0) + 1


def tokens_of(response: Response | None) -> int:
    """`usage.total_tokens` (or input + output) of a JSON answer or of a stream's last `response`."""
    if response is None:
        return 0
    docs: list[Any] = [response.body]
    for e in reversed(response.events or []):
        if isinstance(e.data, dict) and isinstance(e.data.get("response"), dict):
            docs.append(e.data["response"])
            break
    for doc in docs:
        usage = doc.get("usage") if isinstance(doc, dict) else None
        if isinstance(usage, dict):
            total = usage.get("total_tokens")
            if not isinstance(total, int):
                total = sum(v for v in (usage.get("input_tokens"), usage.get("output_tokens")) if isinstance(v, int))
            return max(total, 0)
    return 0


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


# --- the wire, under vcrpy ------------------------------------------------------------------------------------

_pending = threading.local()


def take_cut_note() -> str | None:
    """Why the body vcrpy is about to record ended early (then forgotten); recording.py marks the cassette with it."""
    note = getattr(_pending, "note", None)
    _pending.note = None
    return note


class _TolerantStream:
    """A body that ends with what arrived when the connection fails or the deadline passes mid-way, noting why."""

    def __init__(self, inner: Any, box: dict[str, str], deadline: float | None) -> None:
        self.inner, self.box, self.deadline = inner, box, deadline

    def __iter__(self) -> Any:
        got = 0
        try:
            for part in self.inner:
                got += len(part)
                yield part
                if self.deadline is not None and time.monotonic() > self.deadline:
                    self._cut(f"run deadline reached mid-body after {got} bytes")
                    return
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            self._cut(f"body cut after {got} bytes: {type(exc).__name__}: {exc or 'no detail'}")

    def _cut(self, note: str) -> None:
        self.box["note"] = note
        _pending.note = note

    def close(self) -> None:
        if hasattr(self.inner, "close"):
            self.inner.close()


class _TolerantPool:
    """httpcore's pool with tolerant bodies. It sits below vcrpy's httpx hook, so a cut body is recorded as it came."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def handle_request(self, request: httpcore.Request) -> httpcore.Response:
        try:
            response = self.inner.handle_request(request)
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            # httpx names its exceptions as httpcore does (ReadTimeout, ConnectError, RemoteProtocolError...)
            what = f"{type(exc).__name__}: {exc}".replace("\r", " ").replace("\n", " ")  # one header line
            return httpcore.Response(NO_ANSWER_STATUS, headers=[(NO_ANSWER_HEADER.encode(), what.encode())])
        box: dict[str, str] = {}  # httpx copies the extensions dict, not what it holds
        response.extensions[_CUT] = box
        response.stream = _TolerantStream(response.stream, box, request.extensions.get(_DEADLINE))
        return response

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> _TolerantPool:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.inner.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _tolerate_cuts(client: httpx.Client) -> None:
    # httpx builds its transports (and proxy mounts from the environment) itself; we wrap what it built.
    for t in [getattr(client, "_transport", None), *(getattr(client, "_mounts", {}) or {}).values()]:
        if isinstance(t, httpx.HTTPTransport) and not isinstance(getattr(t, "_pool", None), _TolerantPool):
            t._pool = _TolerantPool(t._pool)  # type: ignore[assignment]


# --- the transport --------------------------------------------------------------------------------------------


class Transport:
    """One client per case; `create`/`retrieve`/`delete`/`input_items` return the Exchange they appended."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        *,
        retries: int | None = None,
        backoff: float | None = None,
        timeout: httpx.Timeout | float | None = None,
        source: str = "",
        limits: Limits | None = None,
        run: Run | None = None,
        live: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        base = run.limits if run is not None else (limits or Limits())
        over = {"retries": retries, "backoff": backoff}
        if isinstance(timeout, (int, float)):
            over.update(read_timeout=float(timeout), connect_timeout=float(timeout))
        elif isinstance(timeout, httpx.Timeout):  # a None inside it keeps the limit's value
            over.update(read_timeout=timeout.read, connect_timeout=timeout.connect)
        self.limits = Limits(**{**base.__dict__, **{k: v for k, v in over.items() if v is not None}})
        self.run = run or Run(self.limits)
        self.live = live  # False: a replay; nothing waits and no budget is spent
        self.sleep = sleep
        self.base_url = base_url.rstrip("/")
        self.source = source
        self.exchanges: list[Exchange] = []
        self.stats = new_stats()
        self.auth_header: tuple[str, str] | None = None  # (header, scheme), to send a deliberately wrong key
        self.secrets = credentials_in_request(headers or {})
        for secret in self.secrets:
            register_secret(secret)
        # identity: bodies reach vcrpy (and cassettes) as readable text, not gzip.
        self.client = httpx.Client(
            timeout=self._timeout(None), headers={"accept-encoding": "identity", **(headers or {})}
        )
        _tolerate_cuts(self.client)

    @property
    def retries(self) -> int:
        return self.limits.retries

    @property
    def backoff(self) -> float:
        return self.limits.backoff

    @classmethod
    def for_profile(cls, profile: Any, base_url: str, api_key: str | None, **kw: Any) -> Transport:
        """Auth header and scheme from the profile (`auth: {header, scheme}`); no header when there is no key.

        Limits come from `run` (shared by a whole run) or `limits`, else from the profile's `limits:`.
        """
        auth = getattr(profile, "auth", None) or {}
        headers = {}
        register_secret(api_key)
        if api_key and auth.get("header"):
            headers[auth["header"]] = f"{auth['scheme']} {api_key}" if auth.get("scheme") else api_key
        if kw.get("run") is None and kw.get("limits") is None:
            kw["limits"] = Limits.resolve(profile)
        t = cls(base_url, headers, **kw)
        t.auth_header = (auth["header"], auth.get("scheme") or "") if auth.get("header") else None
        if api_key and api_key not in t.secrets:
            t.secrets.append(api_key)
        return t

    def close(self) -> None:
        self.client.close()

    # --- endpoints ------------------------------------------------------------------------------------------

    def create(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> Exchange:
        return self.send("POST", "/responses", body, headers=headers)

    def retrieve(self, response_id: str, **params: Any) -> Exchange:
        return self.send("GET", f"/responses/{response_id}", params=params or None)

    def delete(self, response_id: str) -> Exchange:
        return self.send("DELETE", f"/responses/{response_id}")

    def input_items(self, response_id: str, **params: Any) -> Exchange:
        return self.send("GET", f"/responses/{response_id}/input_items", params=params or None)

    # --- machinery ------------------------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Exchange:
        """Send with retries on 429/5xx, timeouts and connection errors; raise InfraError when nothing ever arrived."""
        content = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        hdrs = {"content-type": "application/json", **(headers or {})} if content is not None else dict(headers or {})
        request = self.client.build_request(method, self.base_url + path, content=content, params=params, headers=hdrs)
        for secret in credentials_in_request(dict(request.headers), str(request.url)):
            if secret not in self.secrets:  # a header this transport did not start with (a deliberately wrong key)
                register_secret(secret)
                self.secrets.append(secret)
        label = f"{method} {path}"
        response: Response | None = None
        why, cut, attempts = "", None, 0
        failed: Exception | None = None  # the last attempt's transport error, when it had one
        while True:
            try:
                self._admit(attempts)
            except LimitReached as exc:
                if response is not None:  # a retry the run cannot afford: keep the answer we have
                    why = f"HTTP {response.status} after {attempts} attempt(s); no retry: {exc}"
                    break
                done = f"{why}, after {attempts} attempt(s); no retry: " if attempts else "not sent: "
                self._spent_infra()
                raise LimitReached(self._redact(f"{label} ({scrub_url(str(request.url))}): {done}{exc}")) from None
            attempts += 1
            try:
                response, cut = self._attempt(request)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                failed = exc
                count(self.stats, "errors", type(exc).__name__)
                why = f"{type(exc).__name__}: {exc or 'no detail'}"
                wait = self._next_wait(attempts, None)
                if wait is None and response is not None:  # an earlier attempt did answer: keep that answer
                    why = f"{why} at attempt {attempts}; last answer HTTP {response.status}"
                    break
                if wait is None:
                    self._spent_infra()
                    raise InfraError(
                        self._redact(
                            f"{label} ({scrub_url(str(request.url))}): {why}, "
                            f"after {attempts} attempt(s){self._why_stopped(attempts)}"
                        )
                    ) from exc
                self._wait(wait)
                continue
            except Exception as exc:
                if type(exc).__name__ != "CannotOverwriteExistingCassetteException":
                    raise
                if response is None and failed is not None:  # the recording stopped after a failed attempt
                    self._spent_infra()
                    raise InfraError(
                        self._redact(
                            f"{label} ({scrub_url(str(request.url))}): {why}, after {attempts - 1} attempt(s); "
                            "the recording has no further attempt"
                        )
                    ) from failed
                if response is None:
                    raise
                attempts -= 1  # a replayed retry the recording never made: the recorded answer stands
                if response.status in INFRA_STATUSES:
                    why = f"HTTP {response.status} after {attempts} attempt(s)"
                break
            why = ""  # an answer arrived: an earlier attempt's timeout no longer explains anything
            if cut:  # what arrived is evidence; sending again would not give the same answer
                why = f"{cut}, after {attempts} attempt(s)"
                break
            if response.status in RETRY_STATUSES:
                wait = self._next_wait(attempts, response.headers.get("retry-after"))
                if wait is not None:
                    self._wait(wait)
                    continue
                if response.status in INFRA_STATUSES:
                    why = f"HTTP {response.status} after {attempts} attempt(s){self._why_stopped(attempts)}"
            break
        ex = Exchange(
            self._request(request, body), response, index=len(self.exchanges), source=self.source, label=label
        )
        if why:
            ex.meta["infra_error"] = self._redact(f"{label}: {why}")
            self._spent_infra()
        self.exchanges.append(ex)
        return ex

    def _admit(self, attempts: int) -> None:
        """Before each attempt: deadline and budgets, then the rate limit's wait (live only); counts the attempt."""
        if self.live:
            self._wait(self.run.admit(), pace=True)
        with self.run._lock:
            for stats in (self.stats, self.run.stats):
                stats["requests"] += 1
                stats["retries"] += 1 if attempts else 0

    def _attempt(self, request: httpx.Request) -> tuple[Response, str | None]:
        left = self.run.remaining() if self.live else None
        request.extensions["timeout"] = self._timeout(left).as_dict()
        if left is not None:
            request.extensions[_DEADLINE] = self.run.deadline
        take_cut_note()  # a note left by a request that vcrpy did not record
        slots = self.run.slots if self.live else None
        if slots is not None:
            slots.acquire()
        try:
            response, cut = self._read(request)
        finally:
            if slots is not None:
                slots.release()
        used = tokens_of(response)
        with self.run._lock:
            for stats in (self.stats, self.run.stats):
                stats["tokens"] += used
                count(stats, "status", response.status or 0)
        return response, cut

    def _timeout(self, left: float | None) -> httpx.Timeout:
        """Per-request timeouts, never beyond what is left of the run."""
        lim = self.limits
        cap = (lambda s: max(min(s, left), 0.001)) if left is not None else (lambda s: s)
        return httpx.Timeout(
            cap(lim.read_timeout),
            connect=cap(lim.connect_timeout),
            write=cap(lim.read_timeout),
            pool=cap(lim.connect_timeout),
        )

    def _read(self, request: httpx.Request) -> tuple[Response, str | None]:
        r = self.client.send(request, stream=True)
        no_answer = r.headers.get(NO_ANSWER_HEADER) if r.status_code == NO_ANSWER_STATUS else None
        if no_answer is not None:  # live, or replayed from a cassette: the attempt got no answer
            r.close()
            name, _, message = no_answer.partition(": ")
            cls = getattr(httpx, name, None)
            if not (isinstance(cls, type) and issubclass(cls, httpx.TransportError)):
                cls = httpx.TransportError
            raise cls(message, request=request)
        try:
            headers = norm_headers(dict(r.headers.items()))  # httpx joins repeated headers with ", "
            raw = r.read()
            cut = (r.extensions.get(_CUT) or {}).get("note") or headers.pop(INFRA_HEADER, None)  # live, or a replay
            return self._response(r.status_code, headers, raw), cut
        finally:
            r.close()

    def _response(self, status: int, headers: dict[str, str], raw: bytes) -> Response:
        """The answer as the cassette stores it (credentials scrubbed), so live and replayed runs judge the same."""
        secret_free = {k: (REDACTED if k in SECRET_HEADERS else redact(v, self.secrets)) for k, v in headers.items()}
        try:
            clean = scrub_body(raw, self.secrets)
        except UnicodeDecodeError:
            clean = raw
        if clean != raw and "content-length" in secret_free:
            secret_free["content-length"] = str(len(clean))
        text = clean.decode("utf-8", "replace")
        stream = "text/event-stream" in secret_free.get("content-type", "") and text.lstrip()[:1] not in ("{", "[")
        if stream:  # a JSON error under an event-stream type stays a body
            events, framing = parse_sse(text)
            return Response(status=status, headers=secret_free, raw_body=text, events=events, framing=framing)
        try:
            return build_response(status, secret_free, clean)
        except RecursionError:  # nested deeper than the JSON parser goes: still an answer, just not a document
            return Response(
                status=status,
                headers=secret_free,
                raw_body=text,
                body_error="body is not JSON: nested deeper than the parser's limit",
            )

    def _request(self, request: httpx.Request, body: Any) -> Request:
        headers = {
            k: (REDACTED if k in SECRET_HEADERS else redact(v, self.secrets))
            for k, v in norm_headers(dict(request.headers)).items()
        }
        raw = request.content.decode("utf-8") if request.content else None
        clean = scrub_body(raw, self.secrets) if raw is not None else None
        if clean is not None and clean != raw:
            try:
                body = json.loads(clean)
            except (ValueError, RecursionError):
                body = None
        return Request(
            method=request.method,
            url=scrub_url(str(request.url), self.secrets),
            headers=headers,
            body=body,
            raw_body=clean,
        )

    def _next_wait(self, attempts: int, retry_after: str | None) -> float | None:
        """Seconds to wait before the next attempt, or None when there is none (retries, deadline, budget)."""
        if attempts > self.limits.retries:
            return None
        if not self.live:
            return 0.0
        asked = retry_after_seconds(retry_after)
        if asked is None:  # exponential backoff with jitter, so that many clients do not retry in step
            asked = self.limits.backoff * 2 ** (attempts - 1) * (0.5 + random.random() / 2)
        wait = min(asked, self.limits.max_wait)
        left = self.run.remaining()
        if left is not None and wait >= left:
            return None
        return wait

    def _why_stopped(self, attempts: int) -> str:
        return "; no retry: the run deadline is too close" if attempts <= self.limits.retries else ""

    def _wait(self, seconds: float, pace: bool = False) -> None:
        """Sleep, counted; `backoff=0` retries at once (tests), Retry-After included, but the rate limit holds."""
        if seconds <= 0 or not self.live or (self.limits.backoff <= 0 and not pace):
            return
        self.sleep(seconds)
        self.stats["waited_s"] = round(self.stats["waited_s"] + seconds, 3)
        with self.run._lock:
            self.run.stats["waited_s"] = round(self.run.stats["waited_s"] + seconds, 3)

    def _spent_infra(self) -> None:
        self.stats["infra_errors"] += 1
        with self.run._lock:
            self.run.stats["infra_errors"] += 1

    def _redact(self, text: str) -> str:
        return redact(text, self.secrets)
