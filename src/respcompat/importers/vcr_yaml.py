"""vcrpy cassettes (`interactions[].request/response`), pydantic-ai's `parsed_body`, our `respcompat:` block."""

from __future__ import annotations

from typing import Any

from ..exchange import INFRA_HEADER, NO_ANSWER_HEADER, NO_ANSWER_STATUS, Exchange, Response
from ._http import FormatError, build_request, build_response

FORMAT = "vcr-yaml"


def matches(doc: Any) -> bool:
    return isinstance(doc, dict) and "interactions" in doc


def _body(rec: dict[str, Any]) -> Any:
    if "parsed_body" in rec:  # pydantic-ai stores JSON bodies as parsed YAML
        return rec["parsed_body"]
    body = rec.get("body")
    return body.get("string") if isinstance(body, dict) else body


def to_exchanges(doc: dict[str, Any], source: str) -> list[Exchange]:
    interactions = doc.get("interactions")
    if not isinstance(interactions, list):
        raise FormatError("vcr cassette: `interactions` is not a list")
    meta = {"respcompat": doc["respcompat"]} if isinstance(doc.get("respcompat"), dict) else {}
    provenance = meta.get("respcompat", {}).get("provenance") or {}
    if isinstance(provenance, dict) and provenance.get("excerpt"):
        meta["fragment"] = True  # a documentation excerpt: events were left out, whole-stream checks do not apply
    out = []
    for i, it in enumerate(interactions):
        if not isinstance(it, dict) or not isinstance(it.get("request"), dict):
            raise FormatError(f"vcr cassette: interaction {i} has no `request` mapping")
        rq = it["request"]
        rs = it.get("response")
        request = build_request(rq.get("method"), rq.get("uri"), rq.get("headers"), _body(rq))
        response = build_response(rs.get("status"), rs.get("headers"), _body(rs)) if isinstance(rs, dict) else None
        label = f"interaction {i}: {request.method} {request.path}"
        ex = Exchange(request, response, index=i, source=source, label=label, meta=dict(meta))
        if response is not None:
            ex.response, infra = _infrastructure(response)
            if infra:
                ex.meta["infra_error"] = infra
        out.append(ex)
    return out


def _infrastructure(response: Response) -> tuple[Response | None, str | None]:
    """Our cassettes' marks of an attempt that is not the provider's answer: a stand-in for no answer at all
    (a timeout, a dropped connection), or an answer cut mid-way. Either is an infrastructure error, never judged."""
    no_answer = response.headers.pop(NO_ANSWER_HEADER, None)
    cut = response.headers.pop(INFRA_HEADER, None)
    if no_answer is not None and response.status == NO_ANSWER_STATUS:
        return None, f"no answer: {no_answer}"
    return response, (f"answer cut: {cut}" if cut else None)
