"""A third yardstick: how many documents of an exchange list satisfy another contract (e.g. Open Responses).

Informational only: it classifies nothing and never changes the exit code.
"""

from __future__ import annotations

from typing import Any

from .checks.schema import body_kind
from .contracts import load_contract
from .exchange import Exchange


def measure(exchanges: list[Exchange], contract_name: str, examples: int = 3) -> dict[str, Any]:
    """{"documents", "failing", "examples": [{exchange, event, pointer, message}]} against `contract_name`."""
    contract = load_contract(contract_name)
    docs = failing = 0
    shown: list[dict[str, Any]] = []
    for ex in exchanges:
        targets: list[tuple[str, Any, int | None]] = []
        if ex.response is not None and ex.response.events is not None:
            targets = [("event", e.data, e.index) for e in ex.response.events if isinstance(e.data, dict)]
        elif (kind := body_kind(ex)) is not None:
            targets = [(kind, ex.response.body, None)]
        for kind, doc, event in targets:
            if not contract.has(kind):
                continue
            docs += 1
            errors = contract.validate(kind, doc).errors
            if errors:
                failing += 1
                if len(shown) < examples:
                    shown.append(
                        {
                            "exchange": ex.index,
                            "event": event,
                            "pointer": errors[0].pointer,
                            "message": errors[0].message,
                        }
                    )
    return {"documents": docs, "failing": failing, "examples": shown}
