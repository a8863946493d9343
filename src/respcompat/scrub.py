"""Credential scrubbing for everything we write (cassettes, reports, logs): at write time, never later."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"

SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie",
    "openai-organization", "openai-project", "x-goog-api-key", "x-dashscope-api-key", "ocp-apim-subscription-key",
})
SECRET_PARAMS = frozenset({"key", "api_key", "apikey", "api-key", "access_token", "token", "sig", "signature"})
SECRET_FIELDS = frozenset({"api_key", "apikey", "api-key", "access_token", "authorization", "secret", "password", "token"})

# Bearer tokens and the key shapes of the providers we talk to (OpenAI sk-..., DashScope sk-..., Ark UUID-like keys).
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)(?!REDACTED)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}"),
    re.compile(r'(?i)("(?:api[_-]?key|access_token|authorization|secret|password)"\s*:\s*")(?!REDACTED")[^"]{4,}(")'),
]


def scrub_text(text: str, extra_secrets: list[str] | None = None) -> str:
    """Replace every known secret value and every key-shaped string in `text`."""
    for secret in extra_secrets or []:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = _PATTERNS[0].sub(lambda m: m.group(1) + REDACTED, text)
    text = _PATTERNS[1].sub(REDACTED, text)
    text = _PATTERNS[2].sub(lambda m: m.group(1) + REDACTED + m.group(2), text)
    return text


def scrub_headers(headers: dict[str, Any]) -> dict[str, Any]:
    return {k: (([REDACTED] * len(v)) if isinstance(v, list) else REDACTED) if k.lower() in SECRET_HEADERS else v
            for k, v in headers.items()}


def scrub_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def scrub_json(value: Any) -> Any:
    """Redact secret-named fields anywhere in a parsed JSON document."""
    if isinstance(value, dict):
        return {k: (REDACTED if k.lower() in SECRET_FIELDS and isinstance(v, str) else scrub_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_json(v) for v in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value
