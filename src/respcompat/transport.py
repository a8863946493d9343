"""httpx client for live runs: base URL and auth from the profile, timeouts, bounded retries, streaming SSE reads.

Every call appends an `Exchange` to `Transport.exchanges`, so a flow is judged as the list of what it sent.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from .exchange import Exchange, Request, Response
from .importers._http import build_response, norm_headers
from .scrub import REDACTED, SECRET_HEADERS
from .sse import SSEParser

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TIMEOUT = httpx.Timeout(120.0, connect=10.0)


class InfraError(Exception):
    """The provider could not be reached (timeout, connection error): recorded in the run, not a finding."""


class Transport:
    """One client per case; `create`/`retrieve`/`delete`/`input_items` return the Exchange they appended."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None, *, retries: int = 2,
                 backoff: float = 1.0, timeout: httpx.Timeout | float = TIMEOUT, source: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.source = source
        self.exchanges: list[Exchange] = []
        self.auth_header: tuple[str, str] | None = None  # (header, scheme), to send a deliberately wrong key
        # identity: bodies reach vcrpy (and cassettes) as readable text, not gzip.
        self.client = httpx.Client(timeout=timeout, headers={"accept-encoding": "identity", **(headers or {})})

    @classmethod
    def for_profile(cls, profile: Any, base_url: str, api_key: str | None, **kw: Any) -> "Transport":
        """Auth header and scheme from the profile (`auth: {header, scheme}`); no header when there is no key."""
        auth = getattr(profile, "auth", None) or {}
        headers = {}
        if api_key and auth.get("header"):
            headers[auth["header"]] = f"{auth['scheme']} {api_key}" if auth.get("scheme") else api_key
        t = cls(base_url, headers, **kw)
        t.auth_header = (auth["header"], auth.get("scheme") or "") if auth.get("header") else None
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

    def send(self, method: str, path: str, body: Any = None, *, params: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> Exchange:
        """Send with bounded retries on 429/5xx and connection errors; raise InfraError when it never got through."""
        content = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        hdrs = {"content-type": "application/json", **(headers or {})} if content is not None else dict(headers or {})
        request = self.client.build_request(method, self.base_url + path, content=content, params=params, headers=hdrs)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._read(request)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if last:
                    raise InfraError(f"{method} {request.url}: {type(exc).__name__}: {exc or 'no detail'}") from exc
                self._pause(attempt, None)
                continue
            if response.status in RETRY_STATUSES and not last:
                self._pause(attempt, response.headers.get("retry-after"))
                continue
            break
        ex = Exchange(self._request(request, body), response, index=len(self.exchanges), source=self.source,
                      label=f"{method} {path}")
        self.exchanges.append(ex)
        return ex

    def _read(self, request: httpx.Request) -> Response:
        r = self.client.send(request, stream=True)
        try:
            headers = norm_headers(dict(r.headers.items()))  # httpx joins repeated headers with ", "
            if "text/event-stream" not in headers.get("content-type", ""):
                return build_response(r.status_code, headers, r.read())
            parser, chunks = SSEParser(), []
            for chunk in r.iter_bytes():
                chunks.append(chunk)
                parser.feed(chunk)
            parser.close()
            raw = b"".join(chunks).decode("utf-8", "replace")
            if raw.lstrip()[:1] in ("{", "["):  # a JSON error under an event-stream type stays a body
                return build_response(r.status_code, headers, raw)
            return Response(status=r.status_code, headers=headers, raw_body=raw, events=parser.events,
                            framing=parser.framing)
        finally:
            r.close()

    def _request(self, request: httpx.Request, body: Any) -> Request:
        headers = {k: (REDACTED if k in SECRET_HEADERS else v) for k, v in norm_headers(dict(request.headers)).items()}
        raw = request.content.decode("utf-8") if request.content else None
        return Request(method=request.method, url=str(request.url), headers=headers, body=body, raw_body=raw)

    def _pause(self, attempt: int, retry_after: str | None) -> None:
        if self.backoff <= 0:
            return
        try:
            wait = float(retry_after) if retry_after else self.backoff * 2 ** attempt
        except ValueError:
            wait = self.backoff * 2 ** attempt
        time.sleep(min(wait, 30.0))
