"""Azure SDK test-proxy session records (openai-dotnet): `Entries[]` with parsed JSON bodies and SSE as line arrays."""

from __future__ import annotations

from typing import Any

from ..exchange import Exchange
from ._http import FormatError, build_request, build_response

FORMAT = "test-proxy-json"


def matches(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("Entries"), list)


def to_exchanges(doc: dict[str, Any], source: str) -> list[Exchange]:
    out = []
    for i, e in enumerate(doc["Entries"]):
        if not isinstance(e, dict) or "RequestUri" not in e:
            raise FormatError(f"test-proxy record: entry {i} has no RequestUri")
        request = build_request(e.get("RequestMethod"), e["RequestUri"], e.get("RequestHeaders"), e.get("RequestBody"))
        response = build_response(e.get("StatusCode"), e.get("ResponseHeaders"), e.get("ResponseBody"))
        label = f"entry {i}: {request.method} {request.path}"
        out.append(Exchange(request, response, index=i, source=source, label=label))
    return out
