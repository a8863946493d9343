"""Credential scrubbing for everything we write or print (cassettes, reports, failure text, logs): at write time.

Secrets are removed by VALUE (the key in use, and every credential a request carried, registered process-wide with
`register_secret`) and, as a second net, by shape (bearer tokens, `sk-...` keys, secret-named JSON fields).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"
# A shorter value would redact ordinary words everywhere; such a key is still removed by header and parameter name.
MIN_SECRET_LEN = 8

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "cookie",
        "set-cookie",
        "openai-organization",
        "openai-project",
        "x-goog-api-key",
        "x-dashscope-api-key",
        "ocp-apim-subscription-key",
    }
)
SECRET_PARAMS = frozenset({"key", "api_key", "apikey", "api-key", "access_token", "token", "sig", "signature"})
SECRET_FIELDS = frozenset(
    {"api_key", "apikey", "api-key", "access_token", "authorization", "secret", "password", "token"}
)

# Bearer tokens and the key shapes of the providers we talk to (OpenAI sk-..., DashScope sk-..., Ark UUID-like keys).
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)(?!REDACTED)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}"),
    re.compile(r'(?i)("(?:api[_-]?key|access_token|authorization|secret|password)"\s*:\s*")(?!REDACTED")[^"]{4,}(")'),
]


class SecretLeak(RuntimeError):
    """A writer was handed text that still holds a registered credential; the message names the file, never the secret."""


# --- the registry ---------------------------------------------------------------------------------------------

_registry: set[str] = set()
_lock = threading.Lock()


def _variants(secret: str) -> set[str]:
    """The forms a value takes on the wire and in files: as is, percent-encoded, JSON-escaped."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1], secret.replace("/", "\\/")}
    return {f for f in forms if len(f) >= MIN_SECRET_LEN}


def register_secret(value: str | None) -> None:
    """Scrub `value` by value from everything written or printed from now on (process-wide; short values ignored)."""
    if not value or not isinstance(value, str) or len(value.strip()) < MIN_SECRET_LEN or value.strip() == REDACTED:
        return
    with _lock:
        new = value.strip() not in _registry
        _registry.add(value.strip())
    if new:
        _install_log_scrubber()


def registered_secrets() -> frozenset[str]:
    return frozenset(_registry)


def clear_secrets() -> None:
    """Forget every registered secret (tests)."""
    with _lock:
        _registry.clear()


def credential_of(header_value: str) -> str:
    """The token part of an auth header value (`Bearer abc` -> `abc`); the value itself when it has no scheme."""
    parts = header_value.strip().split(None, 1)
    return parts[1].strip() if len(parts) == 2 and parts[0].isalpha() and len(parts[0]) <= 16 else header_value.strip()


def _all_forms(secrets: Iterable[str] | None) -> tuple[str, ...]:
    wanted = frozenset(s for s in [*_registry, *(secrets or [])] if isinstance(s, str) and len(s) >= MIN_SECRET_LEN)
    return _forms(wanted) if wanted else ()


@lru_cache(maxsize=64)
def _forms(secrets: frozenset[str]) -> tuple[str, ...]:
    forms = set().union(*(_variants(s) for s in secrets)) - {REDACTED}
    return tuple(sorted(forms, key=len, reverse=True))  # a longer form first: it may contain a shorter one


# --- text -----------------------------------------------------------------------------------------------------


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """`text` with every registered secret, every one in `secrets`, and every key-shaped string replaced."""
    if not text:
        return text
    for form in _all_forms(secrets):
        if form in text:
            text = text.replace(form, REDACTED)
    text = _PATTERNS[0].sub(lambda m: m.group(1) + REDACTED, text)
    text = _PATTERNS[1].sub(REDACTED, text)
    text = _PATTERNS[2].sub(lambda m: m.group(1) + REDACTED + m.group(2), text)
    return text


def scrub_text(text: str, extra_secrets: list[str] | None = None) -> str:
    """Older name of `redact`."""
    return redact(text, extra_secrets)


def contains_secret(text: str, secrets: Iterable[str] | None = None) -> bool:
    return any(form in text for form in _all_forms(secrets))


def guard(text: str, where: str | Path, secrets: Iterable[str] | None = None) -> str:
    """Return `text`, or raise SecretLeak naming `where` when it still holds a registered secret."""
    if contains_secret(text, secrets):
        raise SecretLeak(
            f"refusing to write {where}: it still contains a registered credential (value withheld); "
            f"the text was not scrubbed before writing"
        )
    return text


def write_text(path: str | Path, text: str, secrets: Iterable[str] | None = None) -> None:
    """Scrub, check, then write: the one way a report or recording reaches the disk."""
    Path(path).write_text(guard(redact(text, secrets), path, secrets), encoding="utf-8")


# --- structured values ----------------------------------------------------------------------------------------


def scrub_headers(headers: dict[str, Any], secrets: Iterable[str] | None = None) -> dict[str, Any]:
    """Credential headers replaced by name; any other value scrubbed by value."""
    out: dict[str, Any] = {}
    for k, v in headers.items():
        secret = k.lower() in SECRET_HEADERS
        if isinstance(v, list):
            out[k] = [REDACTED if secret else (redact(x, secrets) if isinstance(x, str) else x) for x in v]
        else:
            out[k] = REDACTED if secret else (redact(v, secrets) if isinstance(v, str) else v)
    return out


def scrub_url(url: str, secrets: Iterable[str] | None = None) -> str:
    parts = urlsplit(url)
    if parts.query:
        query = [
            (k, REDACTED if k.lower() in SECRET_PARAMS else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        url = urlunsplit(parts._replace(query=urlencode(query)))
    return redact(url, secrets)


def credentials_in_request(headers: dict[str, Any], url: str = "") -> list[str]:
    """The values a request carried as credentials (secret headers, secret query parameters), to register."""
    found = []
    for k, v in headers.items():
        if k.lower() in SECRET_HEADERS and k.lower() not in ("cookie", "set-cookie"):
            for value in v if isinstance(v, list) else [v]:
                if isinstance(value, (bytes, bytearray)):
                    value = bytes(value).decode("latin-1")
                if isinstance(value, str) and value != REDACTED:
                    found.append(credential_of(value))
    for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if k.lower() in SECRET_PARAMS and v != REDACTED:
            found.append(v)
    return [f for f in found if f and len(f) >= MIN_SECRET_LEN]


def _walk(value: Any, secrets: Iterable[str] | None) -> tuple[Any, bool]:
    """(scrubbed copy, changed?) without recursion: a document nested thousands deep is fine."""
    secrets = list(secrets or [])
    root: list[Any] = [None]
    changed = False
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        v, parent, key = stack.pop()
        if isinstance(v, dict):
            new: dict[Any, Any] = {}
            parent[key] = new
            for k, x in v.items():
                k2 = redact(k, secrets) if isinstance(k, str) else k
                changed |= k2 != k
                if isinstance(k, str) and k.lower() in SECRET_FIELDS and isinstance(x, str):
                    new[k2] = REDACTED
                    changed |= x != REDACTED
                else:
                    new[k2] = None
                    stack.append((x, new, k2))
        elif isinstance(v, list):
            seq: list[Any] = [None] * len(v)
            parent[key] = seq
            stack.extend((x, seq, i) for i, x in enumerate(v))
        elif isinstance(v, str):
            parent[key] = redact(v, secrets)
            changed |= parent[key] != v
        else:
            parent[key] = v
    return root[0], changed


def scrub_json(value: Any, secrets: Iterable[str] | None = None) -> Any:
    """Redact secret-named fields and secret values anywhere in a parsed JSON document (iteratively)."""
    return _walk(value, secrets)[0]


def scrub_body(body: Any, secrets: Iterable[str] | None = None) -> Any:
    """A request/response body scrubbed, JSON kept as compact JSON and text (SSE) as text; bytes stay bytes.

    Raises UnicodeDecodeError for a binary body (it cannot carry a text key we could find).
    """
    if body is None:
        return None
    as_bytes = isinstance(body, (bytes, bytearray))
    text = bytes(body).decode("utf-8") if as_bytes else str(body)
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        doc = None
    if isinstance(doc, (dict, list)):
        clean, changed = _walk(doc, secrets)
        if changed:
            try:
                text = json.dumps(clean, ensure_ascii=False, separators=(",", ":"))
            except RecursionError:
                pass  # the text pass below still removes every secret value and key shape
    text = redact(text, secrets)
    return text.encode("utf-8") if as_bytes else text


# --- logs -----------------------------------------------------------------------------------------------------

_log_installed = False


def _install_log_scrubber() -> None:
    """Scrub every log record's message once a secret is known (vcrpy logs responses before its hooks run)."""
    global _log_installed
    if _log_installed:
        return
    _log_installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _registry:
            try:
                message = record.getMessage()
            except Exception:  # a broken format string is the logger's problem, not ours
                return record
            clean = redact(message)
            if clean != message:
                record.msg, record.args = clean, None
        return record

    logging.setLogRecordFactory(factory)
