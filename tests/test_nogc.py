"""The collector pause around import and judging: on inside, restored after, whatever happens."""

from __future__ import annotations

import gc

import pytest

from respcompat.nogc import paused


@pytest.fixture(autouse=True)
def _gc_restored():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_disables_and_restores_even_on_error() -> None:
    gc.enable()
    with pytest.raises(RuntimeError):
        with paused():
            assert not gc.isenabled()
            raise RuntimeError("boom")
    assert gc.isenabled()


def test_nested_pauses_reenable_only_at_the_outermost() -> None:
    gc.enable()
    with paused():
        with paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_caller_that_disabled_the_collector_keeps_it_disabled() -> None:
    gc.disable()
    with paused():
        pass
    assert not gc.isenabled()


def test_import_and_judging_run_paused_and_leave_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import respcompat.engine as engine
    import respcompat.importers as importers

    seen: list[tuple[str, bool]] = []
    load, run = importers._load, engine.run_checks

    def spy_load(*a, **k):
        seen.append(("import", gc.isenabled()))
        return load(*a, **k)

    def spy_run(*a, **k):
        seen.append(("judge", gc.isenabled()))
        return run(*a, **k)

    monkeypatch.setattr(importers, "_load", spy_load)
    monkeypatch.setattr(engine, "run_checks", spy_run)
    gc.enable()
    result = importers.load_text('event: x\ndata: {"type":"response.created"}\n\n', "s.sse")
    engine.judge_exchanges(result.exchanges, "openai")
    assert seen == [("import", False), ("judge", False)]
    assert gc.isenabled()
