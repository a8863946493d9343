"""Hypothesis against a live server: combinations of valid parameter values, and a state machine over create,
continue, retrieve, delete, input_items (and cancel where documented). A failing example is shrunk, marked, and
written as a regression case with its cassette; offline, the case resends what its cassette recorded.

Hypothesis is imported only here, and only when a generated case runs live (it is not a runtime dependency).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .generate import INPUT, short


class Divergence(AssertionError):
    """A generated example the engine finds a new undocumented divergence in."""


def recorded_requests(cassette: Path, base_url: str, retries: int = 0) -> list[tuple[str, str, Any]]:
    """(method, path, JSON body) of every request in a cassette, in order, with the base URL's path taken off.

    The transport's retries of one request are one request here: resent, it consumes them again on replay. An attempt
    is a retry when it repeats the request just before, whose answer the transport retries (429/5xx, or our stand-in
    for no answer), and at most `retries` of them follow one request; a later identical request is a new one.
    """
    from .exchange import INFRA_HEADER, NO_ANSWER_STATUS
    from .safe_yaml import load
    from .transport import RETRY_STATUSES

    data = load(cassette.read_text(encoding="utf-8")) or {}
    prefix = urlsplit(base_url).path.rstrip("/")
    out: list[tuple[str, str, Any]] = []
    previous, retried, again = None, 0, False
    for it in data.get("interactions") or []:
        req = it.get("request") or {}
        path = urlsplit(str(req.get("uri") or "")).path
        path = path[len(prefix) :] if prefix and path.startswith(prefix) else path
        body = req.get("body")
        if isinstance(body, dict):
            body = body.get("string")
        try:
            parsed = json.loads(body) if isinstance(body, (str, bytes)) and body else None
        except ValueError:
            parsed = None
        key = (str(req.get("method") or "GET"), path, parsed)
        if again and key == previous and retried < retries:
            retried += 1
        else:
            out.append(key)
            previous, retried = key, 0
        resp = it.get("response") if isinstance(it.get("response"), dict) else {}
        status = resp.get("status")
        code = status.get("code") if isinstance(status, dict) else status
        cut = INFRA_HEADER in {str(k).lower() for k in (resp.get("headers") or {})}
        again = (code in RETRY_STATUSES or code == NO_ANSWER_STATUS) and not cut
    return out


def replay(run: Any, t: Any, base: dict[str, Any] | None = None, ledger: Ledger | None = None) -> list[str]:
    """Resend, in order, what the case's cassette recorded (vcrpy answers); generated requests are marked again, and
    a state machine's requests get the expectations the live run gave them (the same Ledger)."""
    for method, path, body in recorded_requests(run.cassette, run.settings.base_url, getattr(t, "retries", 0)):
        expect = ledger.expect(method, path, body) if ledger is not None else {}
        x = t.send(method, path, body)
        x.meta["expect"] = expect
        if ledger is not None:
            ledger.after(method, path, body, x)
        if base is not None and isinstance(body, dict) and method == "POST" and path == "/responses":
            x.meta["generated"] = combo_meta(body, base)
    return []


class Ledger:
    """What the state machine expects of each request, from the requests and answers before it: a create or a
    delete must succeed, continuing, deleting or listing a deleted or store=false response must fail. One place,
    used live and on replay."""

    def __init__(self) -> None:
        self.gone: set[str] = set()

    @staticmethod
    def _rid(path: str) -> str:
        return path.split("/responses/", 1)[-1].split("/", 1)[0] if "/responses/" in path else ""

    def expect(self, method: str, path: str, body: Any) -> dict[str, Any]:
        if method == "POST" and path == "/responses":
            prev = body.get("previous_response_id") if isinstance(body, dict) else None
            return {"http_status": "4xx" if prev in self.gone else "2xx"}
        gone = self._rid(path) in self.gone
        if method == "DELETE" or path.endswith("/input_items"):
            return {"http_status": "4xx"} if gone else ({"http_status": "2xx"} if method == "DELETE" else {})
        return {}  # a retrieve: judged by the state.* checks

    def after(self, method: str, path: str, body: Any, x: Any) -> None:
        if method == "DELETE":
            self.gone.add(self._rid(path))
        elif method == "POST" and path == "/responses" and isinstance(body, dict) and body.get("store") is False:
            resp = x.response.body if x.response is not None else None
            if isinstance(resp, dict) and isinstance(resp.get("id"), str):
                self.gone.add(resp["id"])


def combo_meta(body: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    varied = sorted(k for k in body if k not in ("model", *base))
    return {
        "kind": "positive",
        "parameter": "+".join(varied) or "(base)",
        "path": "+".join(varied) or "(base)",
        "value": short({k: body[k] for k in varied}, 200),
        "rule": "combination",
    }


def _hypothesis_missing() -> str | None:
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        return "generated requests need Hypothesis live: pip install 'respcompat[generate]'"
    return None


def _settings(run: Any) -> Any:
    from hypothesis import HealthCheck, Phase, settings

    return settings(
        max_examples=run.generation["examples"],
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
        stateful_step_count=8,
    )


def combined(run: Any, t: Any, targets: list[Any], base: dict[str, Any]) -> list[str]:
    """Send Hypothesis combinations of valid values; a new divergence is shrunk to its smallest request."""
    if not run.live:
        return replay(run, t, base)
    missing = _hypothesis_missing()
    if missing:
        return [missing]
    from hypothesis import given, seed

    from .generate import strategy

    # The first divergence drawn is the one shrunk: later examples fail only with that check, so Hypothesis cannot
    # wander to another divergence while it shrinks (every one raises from here, and it would take any for the same
    # bug). The others are still sent, judged and reported as findings.
    pinned: list[str] = []

    @_settings(run)
    @seed(run.generation["seed"])
    @given(strategy(targets, run.model, base))
    def one(body: dict[str, Any]) -> None:
        x = t.create(body)
        x.meta.update({"generated": combo_meta(body, base), "expect": {}})
        found = [f for f in run.divergences([x]) if not pinned or f.check == pinned[0]]
        if found:
            pinned[:1] = [found[0].check]
            raise Divergence(f"{short(body, 300)}: {found[0].check}: {found[0].message}")

    try:
        one()
    except Divergence as exc:
        last = _fewer_parameters(run, t, t.exchanges[-1], base, str(exc))
        write_regression(run, [last])
    return []


def _fewer_parameters(run: Any, t: Any, x: Any, base: dict[str, Any], why: str) -> Any:
    """Hypothesis's shrunk example with each other varied parameter dropped while the same check still fails.

    Why: the strategy draws values in the sorted order of the chosen names, so Hypothesis cannot delete a name that
    sorts before the failing one (the later draws shift); e.g. `context_management+temperature=2` stays two."""
    first = run.divergences([x])
    check = first[0].check if first else None
    body = x.request.body if isinstance(x.request.body, dict) else {}
    for name in [k for k in body if k not in ("model", *base)]:
        if check is None or len([k for k in body if k not in ("model", *base)]) <= 1:
            break
        trial = {k: v for k, v in body.items() if k != name}
        y = t.create(trial)
        y.meta.update({"generated": combo_meta(trial, base), "expect": {}})
        found = [f for f in run.divergences([y]) if f.check == check]
        if found:
            body, x, why = trial, y, f"{short(trial, 300)}: {check}: {found[0].message}"
    x.meta["shrunk"] = why
    return x


# --- the state machine ---------------------------------------------------------------------------------------


def state(run: Any, t: Any) -> list[str]:
    """Run the state machine live (shrinking a failure to the shortest sequence), or replay its cassette."""
    if not run.live:
        return replay(run, t, ledger=Ledger())
    missing = _hypothesis_missing()
    if missing:
        return [missing]
    from hypothesis import seed
    from hypothesis.stateful import run_state_machine_as_test

    machine = seed(run.generation["seed"])(_machine(run, t))
    try:
        run_state_machine_as_test(machine, settings=_settings(run))
    except Divergence as exc:
        last_run = [x for x in t.exchanges if x.meta.get("machine_run") == machine.runs]
        for x in last_run:
            x.meta["shrunk"] = str(exc)
        write_regression(run, last_run)
    return []


def _machine(run: Any, t: Any) -> Any:
    from hypothesis import strategies as st
    from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, multiple, precondition, rule

    endpoints = getattr(run.settings.profile, "endpoints", None) or {}
    has = lambda name: bool(endpoints.get(name)) if isinstance(endpoints, dict) else True  # noqa: E731
    base = {"input": INPUT, "max_output_tokens": 16}

    class Responses(RuleBasedStateMachine):
        responses = Bundle("responses")
        runs = 0

        def __init__(self) -> None:
            super().__init__()
            type(self).runs += 1
            self.sent: list[Any] = []
            self.ledger = Ledger()

        def _send(self, method: str, path: str, body: Any = None) -> Any:
            expect = self.ledger.expect(method, path, body)
            x = t.send(method, path, body)
            x.meta.update({"expect": expect, "machine_run": type(self).runs})
            self.ledger.after(method, path, body, x)
            self.sent.append(x)
            found = run.divergences(self.sent)
            if found:
                raise Divergence(f"{found[0].check}: {found[0].message}")
            resp = x.response.body if x.response is not None else None
            if isinstance(resp, dict) and isinstance(resp.get("id"), str):
                return resp["id"]
            # A create that made no response (a continue from a deleted one) adds nothing to the bundle: a made-up
            # id, sent on, would be the machine's own mistake, judged as the server's.
            return multiple()

        @initialize(target=responses)
        def first(self) -> Any:
            return self._send("POST", "/responses", {"model": run.model, **base, "store": True})

        @rule(target=responses, store=st.booleans())
        def create(self, store: bool) -> Any:
            return self._send("POST", "/responses", {"model": run.model, **base, "store": store})

        @rule(target=responses, prev=responses)
        def continue_(self, prev: str) -> Any:
            return self._send(
                "POST", "/responses", {"model": run.model, **base, "store": True, "previous_response_id": prev}
            )

        @precondition(lambda self: has("retrieve"))
        @rule(ref=responses)
        def retrieve(self, ref: str) -> None:
            self._send("GET", f"/responses/{ref}")

        @precondition(lambda self: has("input_items"))
        @rule(ref=responses)
        def input_items(self, ref: str) -> None:
            self._send("GET", f"/responses/{ref}/input_items")

        @precondition(lambda self: has("delete"))
        @rule(ref=responses)
        def delete(self, ref: str) -> None:
            self._send("DELETE", f"/responses/{ref}")

    return Responses


# --- regression cases ----------------------------------------------------------------------------------------


def write_regression(run: Any, exchanges: list[Any]) -> Path | None:
    """Write the shrunk failing example as a regular case (steps) and its cassette under the report folder."""
    import yaml

    from .scrub import write_text

    if not exchanges:
        return None
    case_id = f"regress.{run.case_id}.{run.generation['seed']}"
    saved: dict[str, str] = {}
    steps = []
    for n, x in enumerate(exchanges, start=1):
        step: dict[str, Any] = {}
        endpoint = x.endpoint
        if endpoint != "create":
            step["endpoint"] = endpoint
            rid = urlsplit(x.request.url).path.rstrip("/").split("/responses/", 1)[-1].split("/", 1)[0]
            step["response_id"] = "{" + saved[rid] + ".id}" if rid in saved else rid
        else:
            body = {k: v for k, v in (x.request.body or {}).items() if k != "model"}
            prev = body.get("previous_response_id")
            if prev in saved:
                body["previous_response_id"] = "{" + saved[prev] + ".id}"
            step["request"] = body
            rid = (
                (x.response.body or {}).get("id")
                if x.response is not None and isinstance(x.response.body, dict)
                else None
            )
            if isinstance(rid, str):
                saved[rid] = f"s{n}"
                step["save"] = f"s{n}"
        if x.meta.get("expect"):
            step["expect"] = x.meta["expect"]
        steps.append(step)
    folder = Path(run.settings.report_dir) / "regressions"
    (folder / "cassettes" / run.settings.provider).mkdir(parents=True, exist_ok=True)
    case = {
        "cases": [
            {
                "id": case_id,
                "title": f"shrunk by {run.case_id} (seed {run.generation['seed']}): {str(exchanges[-1].meta.get('shrunk'))[:200]}",
                "features": ["generated-requests"],
                "steps": steps,
            }
        ]
    }
    write_text(folder / f"{case_id}.yaml", yaml.safe_dump(case, sort_keys=False, allow_unicode=True))
    write_text(folder / "cassettes" / run.settings.provider / f"{case_id}.yaml", _cassette(run, case_id, exchanges))
    return folder / f"{case_id}.yaml"


def _cassette(run: Any, case_id: str, exchanges: list[Any]) -> str:
    import yaml

    from .recording import provenance

    interactions = []
    for x in exchanges:
        resp = x.response
        body = resp.body if resp is not None else None
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False) if body is not None else ""
        interactions.append(
            {
                "request": {
                    "method": x.request.method,
                    "uri": x.request.url,
                    "body": json.dumps(x.request.body, ensure_ascii=False) if x.request.body is not None else None,
                    "headers": {"content-type": ["application/json"]},
                },
                "response": {
                    "status": {"code": resp.status if resp is not None else 599, "message": ""},
                    "headers": {"Content-Type": [(resp.headers or {}).get("content-type", "application/json")]}
                    if resp is not None
                    else {},
                    "body": {"string": text},
                },
            }
        )
    block = provenance(
        case_id, model=run.model, base_url=run.settings.base_url, note=f"shrunk example of {run.case_id}"
    )
    return yaml.safe_dump(
        {"version": 1, "interactions": interactions, "respcompat": block}, sort_keys=False, allow_unicode=True
    )
