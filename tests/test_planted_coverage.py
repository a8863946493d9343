"""Every check is proven able to fail: each registered check id is fired by at least one planted mutation.

tests/test_planted_corpus.py proves each mutation fires exactly what it names; this proves no check is left
without a mutation. compare.stream_body needs a streamed and a non-streamed answer to one request, which no base
has: its planted fault is in tests/test_checks_earned.py (and tests/test_verdicts.py runs it against the fake).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from respcompat.checks import load_all

MUTATIONS = Path(__file__).resolve().parent / "planted" / "mutations"
EXEMPT_PREFIXES = ("compare.",)
# The generated-request oracle is planted with faults of the fake server instead (tests/test_generated.py:
# crash-on, accept-invalid, reject-valid, ignore-param, error-no-param); it judges requests a mutation file has none of.
EXEMPT_MODULES = {"respcompat.checks.compare", "respcompat.checks.generated"}


def _planted_ids() -> set[str]:
    ids = set()
    for path in sorted(MUTATIONS.glob("*.yaml")):
        for m in yaml.safe_load(path.read_text(encoding="utf-8"))["mutations"]:
            ids |= {e if isinstance(e, str) else e["check"] for e in m["expect"]}
    return ids


def test_every_registered_check_has_a_planted_mutation():
    registry = load_all()
    required = {
        cid
        for cid, spec in registry.items()
        if not cid.startswith(EXEMPT_PREFIXES) and spec.func.__module__ not in EXEMPT_MODULES
    }
    assert sorted(required - _planted_ids()) == []


def test_planted_mutations_name_only_registered_checks():
    assert sorted(_planted_ids() - set(load_all())) == []


def test_the_checks_this_corpus_must_cover_are_registered():
    # Guards the test above against an empty registry (an import failure would make it pass vacuously).
    registry = load_all()
    for cid in ("stream.framing", "stream.encoding", "stream.indexes", "case.parameter_acceptance", "schema.request"):
        assert cid in registry
