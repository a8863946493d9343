"""A tiny Responses API server on 127.0.0.1 for the recorder's tests: one JSON answer, one SSE answer.

It leaks the caller's key into a response header and body, so the tests can prove the recorder scrubs it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpcore  # noqa: F401  pytester's in-process runs drop modules first imported inside them; httpx keeps its classes


def _response(text: str, key: str) -> dict[str, Any]:
    return {
        "id": "resp_fake1",
        "object": "response",
        "created_at": 1767225600,
        "completed_at": 1767225601,
        "status": "completed",
        "model": "fake-model",
        "error": None,
        "incomplete_details": None,
        "output": [
            {
                "type": "message",
                "id": "msg_fake1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        ],
        "usage": {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7},
        "metadata": {"echo_key": key},  # a careless server echoing the credential
    }


def _sse(text: str, key: str) -> str:
    final = _response(text, key)
    item, part = final["output"][0], final["output"][0]["content"][0]
    events = [
        {"type": "response.created", "response": {**final, "status": "in_progress", "output": []}},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**item, "status": "in_progress", "content": []},
        },
        {
            "type": "response.content_part.added",
            "output_index": 0,
            "content_index": 0,
            "item_id": item["id"],
            "part": {**part, "text": ""},
        },
        {
            "type": "response.output_text.delta",
            "output_index": 0,
            "content_index": 0,
            "item_id": item["id"],
            "delta": text,
        },
        {
            "type": "response.output_text.done",
            "output_index": 0,
            "content_index": 0,
            "item_id": item["id"],
            "text": text,
        },
        {
            "type": "response.content_part.done",
            "output_index": 0,
            "content_index": 0,
            "item_id": item["id"],
            "part": part,
        },
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": final},
    ]
    return "".join(
        f"event: {e['type']}\ndata: {json.dumps({**e, 'sequence_number': i})}\n\n" for i, e in enumerate(events)
    )


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
        key = (self.headers.get("authorization") or "").removeprefix("Bearer ")
        stream = bool(body.get("stream"))
        payload = (_sse if stream else lambda t, k: json.dumps(_response(t, k)))("pong", key).encode()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream" if stream else "application/json")
        self.send_header("set-cookie", f"session={key}")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class FakeServer:
    """`with FakeServer() as url:` serves on a free loopback port; the URL ends in /v1."""

    def __enter__(self) -> str:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_port}/v1"

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
