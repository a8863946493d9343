"""pytest plugin: `--provider` and friends, cassettes through pytest-recording, each case judged by the engine,
compared with the expectations, and written to the run record."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# pytest-recording asks pytest to rewrite vcr.matchers' asserts; importing vcr (through .recording) first would make
# that request come too late and warn on every run, so the request is made here, before the import.
pytest.register_assert_rewrite("vcr.matchers")

from . import recording  # noqa: E402
from .findings import CONTRADICTION, DOCUMENTED, Finding  # noqa: E402

SETTINGS = pytest.StashKey["Settings"]()
DEFAULT_SEED = 20261203  # --gen-seed N explores other examples


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("respcompat", "respcompat conformance suite")
    g.addoption("--provider", help="provider profile to run against (providers/NAME.yaml)")
    g.addoption("--model", help="model to request (default: the profile's default_model)")
    g.addoption("--base-url", help="endpoint to send to (default: the profile's base URL); any compatible server")
    g.addoption("--report-dir", help="where the run record goes (default: reports/<provider>/)")
    g.addoption("--cassette-dir", help="cassette root (default: the shipped cassettes); <dir>/<provider>/<case>.yaml")
    g.addoption("--expectations-dir", help="known divergences (default: the shipped ones); <dir>/<provider>.yaml")
    g.addoption("--connect-timeout", type=float, help="seconds to connect (default: the profile's limits, else 10)")
    g.addoption("--read-timeout", type=float, help="seconds between bytes of an answer (default: profile, else 60)")
    g.addoption("--deadline", type=float, help="seconds for the whole live run (default: profile, else 1800)")
    g.addoption("--retries", type=int, help="retries on 429/5xx/timeouts, with backoff and Retry-After (default 2)")
    g.addoption("--rps", type=float, help="requests per second at most (default: the profile's limits)")
    g.addoption("--concurrency", type=int, help="requests in flight at most (default: the profile's limits)")
    g.addoption("--budget-requests", type=int, help="requests a live run may send at most")
    g.addoption("--budget-tokens", type=int, help="tokens (from usage) a live run may spend at most")
    g.addoption(
        "--generate",
        action="store_true",
        help="send the generated requests live too (gen.* cases; offline they replay their cassettes regardless)",
    )
    g.addoption(
        "--gen-seed", type=int, help="seed of the generated requests (default 20261203, recorded in the run record)"
    )
    g.addoption("--gen-examples", type=int, default=10, help="Hypothesis examples per generated case (default 10)")
    g.addoption(
        "--repeat", type=int, default=1, help="send each generated request N times; differing outcomes are flaky"
    )
    # --record-mode none|once|new_episodes|all|rewrite (default none: offline replay) is pytest-recording's own.


@dataclass
class Settings:
    """One run: the profile, where requests go, how cassettes are used, and the run record being built."""

    provider: str
    profile: Any
    model: str | None
    base_url: str
    record_mode: str
    report_dir: Path
    api_key: str | None
    expectations: list[dict[str, Any]]
    record: dict[str, Any]
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # nodeid -> run-record case
    generation: dict[str, Any] = field(default_factory=dict)  # seed, examples, repeat of generated requests
    run: Any = None  # respcompat.transport.Run: one deadline, budget and rate for the whole live run

    @property
    def key_env(self) -> str | None:
        return getattr(self.profile, "api_key_env", None)

    def block_for(self, path: Path) -> dict[str, Any]:
        return recording.provenance(path.stem, model=self.model, base_url=self.base_url)


def load_profile(name: str) -> Any:
    from .providers import load_profile as load

    return load(name)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "respcompat(case_id): a conformance case or flow, judged and recorded")
    name = config.getoption("provider")
    if not name:
        return
    from .classify import linked_source
    from .expectations import expectations_path, load_expectations, load_reasons
    from .report import doc_contradictions, new_run_record

    exp_dir = config.getoption("expectations_dir")
    try:
        profile = load_profile(name)
        exp_path = Path(exp_dir) / f"{name}.yaml" if exp_dir else expectations_path(name)
        expected = load_expectations(name, exp_path)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from exc
    _collect_packaged_suites(config)
    if not config.pluginmanager.has_plugin("recording"):
        raise pytest.UsageError("--provider needs pytest-recording (pip install pytest-recording)")
    mode = config.getoption("record_mode", None) or "none"
    model = config.getoption("model") or profile.default_model
    base_url = config.getoption("base_url") or profile.base_url()
    key = os.environ.get(profile.api_key_env) if profile.api_key_env else None
    record = new_run_record(
        name,
        model=model,
        base_url=base_url,
        record_mode="all" if mode == "rewrite" else mode,
        doc_contradictions=doc_contradictions(profile),
    )
    # The shared reasons of the expectations file, once: a known finding names its reason by id (triage.reason_id).
    record["triage_reasons"] = {
        rid: {"text": r.get("text"), "kind": r.get("kind"), "source": linked_source(profile, r.get("source"))}
        for rid, r in sorted(load_reasons(exp_path).items())
    }
    from .scrub import register_secret
    from .transport import Limits, Run, from_options

    register_secret(key)  # scrubbed by value from every cassette, report, failure text and log from now on
    report_dir = Path(config.getoption("report_dir") or Path("reports") / name)
    settings = Settings(name, profile, model, base_url, mode, report_dir, key, expected, record)
    settings.run = Run(Limits.resolve(profile, **from_options(config.getoption)))  # one deadline and budget per run
    seed = config.getoption("gen_seed")
    settings.generation = {
        # A fixed default: a run is reproducible as it stands, and every xdist worker draws the same examples.
        "seed": seed if seed is not None else DEFAULT_SEED,
        "examples": max(1, config.getoption("gen_examples") or 10),
        "repeat": max(1, config.getoption("repeat") or 1),
        "live": bool(config.getoption("generate")),
    }
    config.stash[SETTINGS] = settings


def _collect_packaged_suites(config: pytest.Config) -> None:
    """`pytest --provider=X` with no paths, outside a checkout: run the suites shipped in the package."""
    from . import PROJECT_ROOT

    if config.args_source == pytest.Config.ArgsSource.INVOCATION_DIR and not _has_tests(
        Path(config.invocation_params.dir)
    ):
        config.args = [str(PROJECT_ROOT / "suites")]


def _has_tests(folder: Path) -> bool:
    return any(folder.glob("test_*.py")) or any(folder.glob("*/test_*.py"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("respcompat")
        if marker is not None:
            item.add_marker(pytest.mark.vcr)  # pytest-recording opens the case's cassette around the test
            item.extra_keyword_matches.add(marker.args[0])  # so `-k flow.multiturn` selects it


# --- pytest-recording fixtures and hook ----------------------------------------------------------------------


def _settings(request: pytest.FixtureRequest) -> Settings | None:
    return request.config.stash.get(SETTINGS, None)


def _case_id(request: pytest.FixtureRequest) -> str | None:
    marker = request.node.get_closest_marker("respcompat")
    return marker.args[0] if marker is not None else None


@pytest.fixture
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    s = _settings(request)
    root = Path(request.config.getoption("cassette_dir") or recording.CASSETTES_DIR)
    return str(root / (s.provider if s else "_no_provider"))


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest) -> str:
    return _case_id(request) or request.node.name


@pytest.fixture
def vcr_config(request: pytest.FixtureRequest, vcr_cassette_dir: str, default_cassette_name: str) -> dict[str, Any]:
    s = _settings(request)
    kind = recording.cassette_kind(Path(vcr_cassette_dir) / f"{default_cassette_name}.yaml")
    config = recording.vcr_config(kind, [s.api_key] if s and s.api_key else [])
    if s is not None and s.record_mode == "rewrite":
        # pytest-recording's rewrite deletes the cassette before the case runs, even a case that then sends nothing
        # (a documentation example). Recorded as `all`, which replaces what a case sends (recording.configure).
        config["record_mode"] = "all"
    return config


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    s = config.stash.get(SETTINGS, None)
    if s is None:  # a marked test outside a --provider run: matchers only, nothing is recorded
        recording.configure(vcr, lambda p: recording.provenance(p.stem, model=None, base_url=None))
    else:
        recording.configure(
            vcr, s.block_for, [s.api_key] if s.api_key else [], fresh=s.record_mode in ("all", "rewrite")
        )


# --- the case fixture ----------------------------------------------------------------------------------------


@pytest.fixture
def respcompat(request: pytest.FixtureRequest, vcr_cassette_dir: str) -> CaseRun:
    """Runs one case or flow: `respcompat.run(flow)` where `flow(transport)` sends the requests."""
    s = _settings(request)
    if s is None:
        pytest.skip("conformance case: run with --provider NAME (a profile in providers/)")
    cid = _case_id(request)
    if cid is None:
        raise pytest.UsageError(f"{request.node.nodeid}: mark it @pytest.mark.respcompat('<case id>')")
    cassette = Path(vcr_cassette_dir) / f"{cid}.yaml"
    block = (recording.read_provenance(cassette) or {}).get("provenance") or {} if cassette.exists() else {}
    entry = {
        "id": cid,
        "outcome": "skipped",
        "verdict": "untested",
        "reasons": [],
        "cassette": _rel(cassette) if cassette.exists() else None,
        "findings": [],
        "infra_error": None,
        "features": list(
            getattr(request.node, "callspec", None)
            and request.node.callspec.params.get("case", {}).get("features")
            or []
        ),
        "provenance": {k: block[k] for k in ("kind", "date", "model", "page") if block.get(k)} or None,
    }
    s.entries[request.node.nodeid] = entry
    return CaseRun(s, cid, cassette, entry)


def _rel(path: Path) -> str:
    try:
        return path.relative_to(recording.PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


@dataclass
class CaseRun:
    settings: Settings
    case_id: str
    cassette: Path
    entry: dict[str, Any]

    @property
    def model(self) -> str | None:
        return self.settings.model

    @property
    def kind(self) -> str | None:
        return recording.cassette_kind(self.cassette)

    @property
    def live(self) -> bool:
        """Requests go to the server (recording), not to a cassette."""
        s = self.settings
        return s.record_mode in ("new_episodes", "all", "rewrite") or not self.cassette.exists()

    @property
    def generation(self) -> dict[str, Any]:
        return self.settings.generation or {"seed": 0, "examples": 10, "repeat": 1}

    def divergences(self, exchanges: list[Any]) -> list[Finding]:
        """New undocumented divergences in these exchanges (what a generated example fails on, to be shrunk)."""
        from .engine import judge_exchanges
        from .expectations import compare
        from .findings import INFORMATIONAL

        findings = judge_exchanges(exchanges, self.settings.provider).findings
        new = compare(self.case_id, findings, self.settings.expectations).new
        return [
            f
            for f in new
            if f.classification not in INFORMATIONAL and f.classification not in (DOCUMENTED, CONTRADICTION)
        ]

    def run(
        self,
        flow: Callable[[Any], list[str] | None],
        meta: dict[str, Any] | None = None,
        before_judging: Callable[[list[Any]], None] | None = None,
    ) -> list[Finding]:
        """Send (or replay) the flow, judge every exchange with the engine, and give the case its verdict."""
        __tracebackhide__ = True
        not_judged: list[str] = []
        infra: list[str] = []
        if self.kind == recording.DOCUMENTATION:
            exchanges = self._import()
        else:
            exchanges = self._send(flow, not_judged, infra)
        for ex in exchanges:
            ex.meta.setdefault("expect", (meta or {}).get("expect") or {})
            ex.meta.update({"case": self.case_id, **{k: v for k, v in (meta or {}).items() if k != "expect"}})
            if ex.meta.get("infra_error"):
                infra.append(f"exchange {ex.index}: {ex.meta['infra_error']}")
        if before_judging is not None:
            before_judging(exchanges)
        return self.judge(exchanges, not_judged, infra)

    def _import(self) -> list[Any]:
        __tracebackhide__ = True
        from .importers import load_file

        result = load_file(self.cassette)
        if result.error:
            pytest.fail(f"{_rel(self.cassette)}: {result.error}", pytrace=False)
        return result.exchanges

    def _send(self, flow: Callable[[Any], list[str] | None], not_judged: list[str], infra: list[str]) -> list[Any]:
        __tracebackhide__ = True
        from vcr.errors import CannotOverwriteExistingCassetteException

        from .transport import InfraError, LimitReached, Transport

        s = self.settings
        record = f"pytest --provider {s.provider} --record-mode once -k {self.case_id}" + (
            " --generate" if self.case_id.startswith("gen.") else ""
        )
        if s.record_mode == "none" and not self.cassette.exists():
            pytest.skip(f"no cassette {_rel(self.cassette)}; record it with: {record}")
        network = self.live
        if network and self.case_id.startswith("gen.") and not (s.generation or {}).get("live"):
            pytest.skip(f"generated requests are sent live only with --generate (no cassette {_rel(self.cassette)})")
        if network and s.key_env and not s.api_key:
            pytest.skip(f"live run needs an API key: set {s.key_env} (profile {s.provider})")
        transport = Transport.for_profile(
            s.profile, s.base_url, s.api_key, source=s.base_url, run=getattr(s, "run", None), live=network
        )
        try:
            not_judged.extend(flow(transport) or [])
        except LimitReached as exc:  # the run's deadline or budget, not the provider: what was sent is judged
            if not transport.exchanges:
                pytest.skip(f"untested: {exc}")
            not_judged.append(f"not sent: {exc}")
        except InfraError as exc:  # what was sent before is still judged; the verdict is infrastructure-error
            infra.append(str(exc))
        except CannotOverwriteExistingCassetteException:
            pytest.fail(
                f"a request of {self.case_id} is not in {_rel(self.cassette)} (method, path and JSON body "
                f"must match): the case changed since it was recorded; re-record with: "
                f"pytest --provider {s.provider} --record-mode all -k {self.case_id}",
                pytrace=False,
            )
        finally:
            transport.close()
        return transport.exchanges

    def judge(
        self, exchanges: list[Any], not_judged: list[str] | None = None, infra: list[str] | None = None
    ) -> list[Finding]:
        """Judge, compare with the expectations, record the verdict, and end the test the way the verdict says."""
        __tracebackhide__ = True
        from .classify import linked_source
        from .engine import judge_exchanges, judge_for
        from .expectations import compare
        from .verdict import CONFORMS, INCONCLUSIVE, INFRA, KNOWN, UNSUPPORTED, UNTESTED, decide

        outcome = judge_exchanges(exchanges, self.settings.provider)
        findings = outcome.findings
        by_index = {x.index: x for x in exchanges}
        for f in findings:  # a generated example shrunk by Hypothesis: its findings say so
            shrunk = getattr(by_index.get(f.exchange), "meta", {}).get("shrunk")
            if shrunk:
                f.details["shrunk_example"] = str(shrunk)[:300]
        infra = list(infra or []) + [f"respcompat: {e}" for e in outcome.errors]
        self.entry["findings"] = [f.to_json() for f in findings]
        self.entry["exchanges"] = len(exchanges)
        if infra:
            self.entry["infra_error"] = "; ".join(infra)
        expected = compare(self.case_id, findings, self.settings.expectations)
        triaged = {id(f): exp for f, exp in expected.known}
        profile = judge_for(self.settings.provider).profile if triaged else None
        for f, row in zip(findings, self.entry["findings"]):
            if id(f) in triaged:  # why this divergence is known: a shared reason by id, or the entry's own words
                exp = triaged[id(f)]
                if exp.get("reason_id"):
                    row["triage"] = {"reason_id": exp["reason_id"], "kind": exp.get("kind")}
                else:
                    row["triage"] = {"reason": exp.get("reason"), "source": linked_source(profile, exp.get("source"))}
        verdict = decide(
            exchanges, findings, new=expected.new, known=expected.known, infra=infra, not_judged=list(not_judged or [])
        )
        self.entry.update(verdict.to_json())
        if expected.failed and verdict.verdict != INFRA:
            pytest.fail(render_failure(self.case_id, expected, self.settings.provider), pytrace=False)
        from .scrub import redact

        reasons = redact("; ".join(verdict.reasons))
        if verdict.verdict == INFRA:
            pytest.fail(f"infrastructure error (not a finding, not a pass): {reasons}", pytrace=False)
        if verdict.verdict == KNOWN:
            pytest.xfail(
                f"{len(expected.known)} known divergence(s) (expectations/{self.settings.provider}.yaml): "
                + ", ".join(
                    sorted(
                        {f"{f.check} ({e['reason_id']})" if e.get("reason_id") else f.check for f, e in expected.known}
                    )
                )
            )
        if verdict.verdict in (UNSUPPORTED, INCONCLUSIVE, UNTESTED):
            pytest.skip(f"{verdict.verdict}: {reasons}")
        assert verdict.verdict == CONFORMS, verdict
        return findings


# --- rendering -----------------------------------------------------------------------------------------------


def _feature_rows(tr: Any, s: Settings) -> None:
    """The provider's row by feature (suites/features.txt): how many cases of each feature got each verdict."""
    from .verdict import VERDICTS

    rows: dict[str, dict[str, int]] = {}
    for e in s.entries.values():
        for feature in e.get("features") or ["(none)"]:
            row = rows.setdefault(feature, {})
            row[e["verdict"]] = row.get(e["verdict"], 0) + 1
    if not rows:
        return
    from . import PROJECT_ROOT

    listed = PROJECT_ROOT / "suites" / "features.txt"
    order = (
        [ln.strip() for ln in listed.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
        if listed.is_file()
        else []
    )
    tr.write_line("by feature:")
    width = max(map(len, rows))
    for feature, row in sorted(
        rows.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0])
    ):
        tr.write_line(f"  {feature:<{width}}  " + ", ".join(f"{row[v]} {v}" for v in VERDICTS if row.get(v)))


def _plain(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_finding(f: Finding) -> str:
    from .scrub import redact

    return redact(_render_finding(f))


def _render_finding(f: Finding) -> str:
    evs = f.events or ([f.event] if f.event is not None else [])
    where = f"exchange {f.exchange}" + (
        f", event {evs[0]}" if len(evs) == 1 else f", {len(evs)} events {evs[0]}..{evs[-1]}" if evs else ""
    )
    lines = [
        f"{f.classification}  {f.check}  at {f.pointer or '/'}  ({where})",
        f"    {f.message}",
        f"    expected: {_short(f.expected)}",
        f"    actual:   {_short(f.actual)}",
    ]
    if f.source:
        lines.append(f"    source:   {f.source}")
    return "\n".join(lines)


def render_failure(case_id: str, verdict: Any, provider: str) -> str:
    from .scrub import redact

    return redact(_render_failure(case_id, verdict, provider))


def _render_failure(case_id: str, verdict: Any, provider: str) -> str:
    out = [
        f"{case_id}: {len(verdict.new)} new undocumented divergence(s), "
        f"{len(verdict.gone)} expected divergence(s) no longer seen"
    ]
    out += [render_finding(f) for f in verdict.new]
    for e in verdict.gone:
        out.append(
            f"unexpected pass  {e['check']}  at {e.get('pointer', '*') or '/'}: listed in expectations/"
            f"{provider}.yaml ({e['reason']}) but it no longer occurs; remove the entry "
            f"(respcompat update-expectations reports/{provider}/run.json)"
        )
    return "\n".join(out)


# --- the run record and the terminal summary -----------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    s = item.config.stash.get(SETTINGS, None)
    entry = s.entries.get(item.nodeid) if s is not None else None
    if entry is not None and entry["outcome"] != "error" and (report.when == "call" or report.skipped):
        entry["outcome"] = "xfailed" if hasattr(report, "wasxfail") else report.outcome
        if report.skipped and entry["verdict"] == "untested" and not entry["reasons"]:
            longrepr = report.longrepr
            entry["reasons"] = [str(longrepr[2] if isinstance(longrepr, tuple) else longrepr).removeprefix("Skipped: ")]
    if entry is not None:
        # JUnit XML (it reads the teardown report, which copies the item's) sees provider, case and verdict.
        props = [("provider", s.provider), ("case", entry["id"]), ("verdict", entry["verdict"])]
        item.user_properties[:] = [
            p for p in item.user_properties if p[0] not in ("provider", "case", "verdict")
        ] + props
    return report


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist controller: take the cases a worker ran, so the controller writes the one run record."""
    s = node.config.stash.get(SETTINGS, None)
    part = getattr(node, "workeroutput", {}).get("respcompat_entries")
    if s is not None and part:
        s.entries.update(json.loads(part))
        if s.run is not None:
            for key, value in json.loads(node.workeroutput.get("respcompat_transport") or "{}").items():
                _add_stats(s.run.stats, key, value)


def _add_stats(into: dict[str, Any], key: str, value: Any) -> None:
    if isinstance(value, dict):
        sub = into.setdefault(key, {})
        for k, v in value.items():
            _add_stats(sub, k, v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        into[key] = into.get(key, 0) + value


def pytest_sessionfinish(session: pytest.Session) -> None:
    s = session.config.stash.get(SETTINGS, None)
    if s is None or not s.entries:
        return
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller merges and writes (pytest_testnodedown)
        workeroutput["respcompat_entries"] = json.dumps(s.entries, default=str)
        workeroutput["respcompat_transport"] = json.dumps(getattr(s.run, "stats", None) or {}, default=str)
        return
    from .report import doc_contradictions, write_run_record

    # One order whatever ran where: serial and `pytest -n N` write the same record.
    s.record["cases"] = [s.entries[k] for k in sorted(s.entries)]
    hits: dict[str, int] = {}
    for case in s.record["cases"]:
        for f in case["findings"]:
            if f.get("contradiction"):
                hits[f["contradiction"]] = hits.get(f["contradiction"], 0) + 1
    from collections import Counter

    s.record["doc_contradictions"] = doc_contradictions(s.profile, Counter(hits))
    if s.run is not None and getattr(s.run, "stats", None):
        s.record["transport"] = dict(s.run.stats)  # what was sent, retried, waited and spent
    from .coverage import add_generated

    add_generated(s.record, s.profile, s.generation)  # coverage, parameter effects, seed: when anything was generated
    s.record["report_path"] = str(write_run_record(s.record, s.report_dir))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    s = config.stash.get(SETTINGS, None)
    if s is None or not s.entries:
        return
    from .scrub import redact
    from .verdict import VERDICTS

    class _Scrubbed:  # every line of the summary goes through the scrubber: a reason may quote a server's echo
        def __init__(self, tr: Any) -> None:
            self.tr = tr

        def section(self, title: str) -> None:
            self.tr.section(redact(title))

        def write_line(self, line: str) -> None:
            self.tr.write_line(redact(line))

    tr = _Scrubbed(terminalreporter)
    tr.section(f"respcompat: {s.provider} ({s.model}, record mode {s.record_mode})")
    counts: dict[str, int] = {}
    for e in s.entries.values():
        counts[e["verdict"]] = counts.get(e["verdict"], 0) + 1
    tr.write_line("verdicts: " + ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts.get(v)))
    for verdict in ("diverges", "infrastructure-error", "inconclusive", "unsupported"):
        for e in s.entries.values():
            if e["verdict"] == verdict:
                tr.write_line(f"  {verdict:<20} {e['id']}: {_plain(e['reasons'][0] if e['reasons'] else '', 150)}")
    by_class: dict[str, int] = {}
    for e in s.entries.values():
        for f in e["findings"]:
            by_class[f["classification"]] = by_class.get(f["classification"], 0) + 1
    shown = [
        (DOCUMENTED, "documented deviation(s)"),
        (CONTRADICTION, "doc contradiction(s)"),
        ("model-dependent", "model-dependent finding(s)"),
        ("contract-drift", "contract drift"),
        ("extension", "extension field(s)"),
    ]
    if any(by_class.get(c) for c, _ in shown):
        tr.write_line(
            "also found: "
            + ", ".join(f"{by_class[c]} {label}" for c, label in shown if by_class.get(c))
            + f" (per case in {s.report_dir / 'run.json'})"
        )
    _feature_rows(tr, s)
    kinds: dict[str, int] = {}
    for e in s.entries.values():
        prov = e.get("provenance") or {}
        if prov:
            label = {
                "documentation": "transcribed from the provider's documentation",
                "local-server": f"recorded from a local server{' on ' + prov['date'] if prov.get('date') else ''}",
                "live": f"recorded live{' on ' + prov['date'] if prov.get('date') else ''}",
            }.get(str(prov.get("kind")), "of unknown origin")
            kinds[label] = kinds.get(label, 0) + 1
    if kinds:
        tr.write_line("cassettes: " + "; ".join(f"{n} {label}" for label, n in sorted(kinds.items())))
    untested = [e for e in s.entries.values() if e["verdict"] == "untested"]
    if untested:
        tr.write_line(
            f"untested: {len(untested)} case(s), e.g. {untested[0]['id']}: "
            f"{_plain(untested[0]['reasons'][0] if untested[0]['reasons'] else '', 150)}"
        )
    if s.record.get("report_path"):
        tr.write_line(f"run record: {s.record['report_path']}")
