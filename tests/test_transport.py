"""The live transport: retries that honour Retry-After, bounded waits, a run deadline, budgets, and infrastructure
errors (429/5xx after the retries, timeouts, refused connections, cut streams) kept apart from the contract."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpcore  # noqa: F401  pytester's in-process runs drop modules first imported inside them
import pytest
import vcr
import yaml

from respcompat import recording
from respcompat.exchange import Exchange
from respcompat.providers import PROVIDERS_DIR, ProfileError, validate_profile_data
from respcompat.transport import InfraError, LimitReached, Limits, Run, Transport, retry_after_seconds, tokens_of

BODY = {"model": "m", "input": "hi"}
OK = {
    "id": "resp_1",
    "object": "response",
    "status": "completed",
    "output": [],
    "usage": {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
}
EVENTS = [
    {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1", "status": "in_progress"}},
    {"type": "response.output_text.delta", "sequence_number": 1, "delta": "po"},
]


# --- a scripted loopback server ------------------------------------------------------------------------------

Step = Callable[[BaseHTTPRequestHandler], None]


def answer(status: int = 200, body: Any = OK, headers: dict[str, str] | None = None) -> Step:
    def step(h: BaseHTTPRequestHandler) -> None:
        payload = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("content-type", "application/json")
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("content-length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    return step


def cut_stream(h: BaseHTTPRequestHandler) -> None:
    """Two whole events and half of a third, then the connection closes short of its content-length."""
    payload = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in EVENTS)
    payload += 'event: response.output_text.delta\ndata: {"type": "response.output_t'
    h.send_response(200)
    h.send_header("content-type", "text/event-stream")
    h.send_header("content-length", "100000")
    h.end_headers()
    h.wfile.write(payload.encode())
    h.wfile.flush()
    h.close_connection = True


def slow(seconds: float) -> Step:
    def step(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        answer()(h)

    return step


class Scripted:
    """`with Scripted(step, ...) as s:` answers the n-th request with the n-th step (the last one repeats)."""

    def __init__(self, *steps: Step) -> None:
        self.steps, self.calls, self.stop = steps, 0, threading.Event()

    def hang(self, h: BaseHTTPRequestHandler) -> None:
        self.stop.wait(60)  # never answers, until the test is over

    def __enter__(self) -> Scripted:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                step = outer.steps[min(outer.calls, len(outer.steps) - 1)]
                outer.calls += 1
                (outer.hang if step == "hang" else step)(self)

            do_GET = do_POST = do_DELETE = _any

        class Server(ThreadingHTTPServer):
            def handle_error(self, *args: Any) -> None:  # a client that gave up is expected here
                pass

        self.httpd = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def no_hang():
    """A guard against a hang, not a timing assertion."""
    signal.signal(signal.SIGALRM, lambda *a: pytest.fail("transport test hung"))
    signal.alarm(60)
    yield
    signal.alarm(0)


def transport(url: str, waits: list[float] | None = None, **limits: Any) -> Transport:
    sleep = waits.append if waits is not None else (lambda s: None)
    return Transport(url, limits=Limits(**{"backoff": 0.01, **limits}), sleep=sleep)


def _vcr(mode: str) -> vcr.VCR:
    v = vcr.VCR(record_mode=mode)
    recording.configure(v, lambda p: recording.provenance(p.stem, model="m", base_url="http://127.0.0.1:1/v1"))
    return v


def record_then_replay(tmp_path: Path, server: Scripted, **limits: Any) -> tuple[Exchange, Exchange, Path]:
    path = tmp_path / "c.yaml"
    with _vcr("once").use_cassette(str(path), **recording.vcr_config(None)):
        live = transport(server.url, **limits).create(BODY)
    with _vcr("none").use_cassette(str(path), **recording.vcr_config(None)):
        replayed = Transport("http://127.0.0.1:1/v1", limits=Limits(**limits), live=False).create(BODY)
    return live, replayed, path


# --- retries --------------------------------------------------------------------------------------------------


def test_a_429_is_retried_once_after_the_retry_after_the_server_asked_for() -> None:
    waits: list[float] = []
    with Scripted(answer(429, {"error": {"message": "slow down"}}, {"retry-after": "1"}), answer()) as s:
        t = transport(s.url, waits, backoff=5.0)
        ex = t.create(BODY)
    assert s.calls == 2 and ex.response.status == 200 and "infra_error" not in ex.meta
    assert waits == [1.0]  # Retry-After, not the 2.5-5 s the backoff would have chosen
    assert t.stats["requests"] == 2 and t.stats["retries"] == 1 and t.stats["status"] == {"429": 1, "200": 1}
    assert t.stats["waited_s"] == 1.0 and t.stats["tokens"] == 7


def test_retry_after_as_an_http_date_and_capped() -> None:
    now = time.time()
    assert retry_after_seconds(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert retry_after_seconds("soon") is None and retry_after_seconds("-3") == 0.0
    waits: list[float] = []
    with Scripted(answer(503, {"error": {"message": "busy"}}, {"retry-after": "3600"}), answer()) as s:
        transport(s.url, waits, max_wait=2.0).create(BODY)
    assert waits == [2.0]


def test_backoff_grows_exponentially_with_jitter() -> None:
    waits: list[float] = []
    with Scripted(answer(502, {"error": {"message": "bad gateway"}})) as s:
        transport(s.url, waits, backoff=1.0, retries=3).create(BODY)
    assert len(waits) == 3
    for i, w in enumerate(waits):
        assert 0.5 * 2**i <= w <= 2**i


def test_a_503_that_persists_is_an_infrastructure_error_after_every_attempt() -> None:
    with Scripted(answer(503, {"error": {"message": "overloaded"}})) as s:
        t = transport(s.url, retries=2)
        ex = t.create(BODY)
    assert s.calls == 3 and ex.response.status == 503
    assert ex.meta["infra_error"] == "POST /responses: HTTP 503 after 3 attempt(s)"
    assert t.exchanges == [ex] and t.stats["infra_errors"] == 1


def test_a_4xx_is_the_provider_answer_not_retried_not_infrastructure() -> None:
    with Scripted(answer(400, {"error": {"message": "bad"}})) as s:
        ex = transport(s.url).create(BODY)
    assert s.calls == 1 and ex.response.status == 400 and "infra_error" not in ex.meta


# --- nothing arrived ------------------------------------------------------------------------------------------


def test_a_refused_connection_raises_after_every_attempt() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    t = transport(f"http://127.0.0.1:{port}/v1", retries=2)
    with pytest.raises(InfraError, match=r"ConnectError.*after 3 attempt\(s\)"):
        t.create(BODY)
    assert t.stats["errors"] == {"ConnectError": 3} and t.exchanges == []


def test_a_first_byte_slower_than_the_read_timeout_times_out_each_attempt() -> None:
    with Scripted(slow(3.0)) as s:
        t = transport(s.url, read_timeout=0.2, retries=1)
        with pytest.raises(InfraError, match=r"ReadTimeout.*after 2 attempt\(s\)"):
            t.create(BODY)
    assert s.calls == 2 and t.stats["errors"] == {"ReadTimeout": 2}


def test_a_server_that_never_answers_is_stopped_by_the_run_deadline() -> None:
    with Scripted("hang") as s:
        run = Run(Limits(read_timeout=300, deadline_s=0.5, retries=5))
        t = Transport(s.url, run=run)
        with pytest.raises(InfraError, match="ReadTimeout.*after 1 attempt.*run deadline") as info:
            t.create(BODY)  # 300 s read timeout, 5 retries: only the deadline ends this
        assert not isinstance(info.value, LimitReached)
        with pytest.raises(LimitReached, match="run deadline of 0.5 s reached"):
            Transport(s.url, run=run).create(BODY)  # the next case of the run is not even sent
    assert s.calls == 1


def _record_and_replay_failure(tmp_path: Path, server: Scripted, **limits: Any) -> tuple[str, str, dict]:
    """The InfraError a recording run raised, the one its offline replay raised, and the cassette."""
    path = tmp_path / "c.yaml"
    with _vcr("once").use_cassette(str(path), **recording.vcr_config(None)):
        with pytest.raises(InfraError) as live:
            transport(server.url, **limits).create(BODY)
    with _vcr("none").use_cassette(str(path), **recording.vcr_config(None)):
        with pytest.raises(InfraError) as replayed:
            Transport("http://127.0.0.1:1/v1", limits=Limits(**limits), live=False).create(BODY)
    return str(live.value), str(replayed.value), yaml.safe_load(path.read_text())


def test_a_timed_out_request_is_recorded_and_replays_as_the_same_infrastructure_error(tmp_path: Path) -> None:
    with Scripted(slow(3.0)) as s:
        live, replayed, doc = _record_and_replay_failure(tmp_path, s, read_timeout=0.2, retries=1)
    assert s.calls == 2 and "ReadTimeout" in live and "after 2 attempt(s)" in live
    # one stand-in answer per attempt, saying what happened; replay raised the same error (not "not in cassette")
    answers = [i["response"] for i in doc["interactions"]]
    assert [a["status"]["code"] for a in answers] == [599, 599]
    assert all(a["headers"]["x-respcompat-no-answer"][0].startswith("ReadTimeout: ") for a in answers)
    assert replayed.replace("127.0.0.1:1", "") == live.replace(s.url.split("/")[2], "")


def test_a_timeout_then_an_answer_replays_the_answer(tmp_path: Path) -> None:
    with Scripted(slow(3.0), answer()) as s:
        live, replayed, path = record_then_replay(tmp_path, s, read_timeout=0.2, retries=1)
    assert s.calls == 2 and live.response.status == replayed.response.status == 200
    assert replayed.response.body == live.response.body and "infra_error" not in replayed.meta


def test_a_request_stopped_by_the_deadline_replays_as_an_infrastructure_error(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with Scripted("hang") as s, _vcr("once").use_cassette(str(path), **recording.vcr_config(None)):
        run = Run(Limits(read_timeout=300, deadline_s=0.5, retries=5))
        with pytest.raises(InfraError, match="ReadTimeout.*after 1 attempt"):
            Transport(s.url, run=run).create(BODY)
    with _vcr("none").use_cassette(str(path), **recording.vcr_config(None)):
        replay = Transport("http://127.0.0.1:1/v1", limits=Limits(retries=5), live=False)
        # offline there is no deadline: the retry the live run never made is not in the cassette, and says so
        with pytest.raises(InfraError, match="ReadTimeout.*after 1 attempt.*no further attempt"):
            replay.create(BODY)
    assert replay.stats["infra_errors"] == 1


# --- cut streams ----------------------------------------------------------------------------------------------


def test_a_stream_cut_mid_way_keeps_the_events_that_arrived() -> None:
    with Scripted(cut_stream) as s:
        t = transport(s.url)
        ex = t.create({**BODY, "stream": True})
    assert s.calls == 1  # not retried: what arrived is the evidence
    events = ex.response.events
    assert [e.data["type"] for e in events[:2]] == ["response.created", "response.output_text.delta"]
    assert len(events) == 3 and events[2].parse_error and ex.response.framing.unterminated_tail
    assert ex.meta["infra_error"].startswith("POST /responses: body cut after ")
    assert "RemoteProtocolError" in ex.meta["infra_error"]


def test_a_cut_stream_replays_as_the_same_cut(tmp_path: Path) -> None:
    with Scripted(cut_stream) as s:
        live, replayed, path = record_then_replay(tmp_path, s)
    doc = yaml.safe_load(path.read_text())
    assert len(doc["interactions"]) == 1
    assert doc["interactions"][0]["response"]["body"]["string"].endswith('"type": "response.output_t')
    assert replayed.meta["infra_error"] == live.meta["infra_error"]
    assert [(e.raw, e.parse_error) for e in replayed.response.events] == [
        (e.raw, e.parse_error) for e in live.response.events
    ]
    assert replayed.response.framing == live.response.framing
    assert "x-respcompat-infra-error" not in replayed.response.headers


def test_a_503_cassette_replays_as_an_infrastructure_error(tmp_path: Path) -> None:
    with Scripted(answer(503, {"error": {"message": "overloaded"}})) as s:
        live, replayed, path = record_then_replay(tmp_path, s, retries=2)
    assert len(yaml.safe_load(path.read_text())["interactions"]) == 3  # every attempt is in the cassette
    assert replayed.meta["infra_error"] == live.meta["infra_error"] == "POST /responses: HTTP 503 after 3 attempt(s)"


def test_a_replay_with_more_retries_than_recorded_stops_at_the_recording(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with Scripted(answer(503, {"error": {"message": "overloaded"}})) as s:
        with _vcr("once").use_cassette(str(path), **recording.vcr_config(None)):
            transport(s.url, retries=1).create(BODY)
    with _vcr("none").use_cassette(str(path), **recording.vcr_config(None)):
        ex = Transport("http://127.0.0.1:1/v1", limits=Limits(retries=4), live=False).create(BODY)
    assert ex.response.status == 503 and ex.meta["infra_error"] == "POST /responses: HTTP 503 after 2 attempt(s)"


def test_a_429_then_200_replays_through_the_recorded_retry(tmp_path: Path) -> None:
    with Scripted(answer(429, {"error": {"message": "slow down"}}, {"retry-after": "0"}), answer()) as s:
        live, replayed, _ = record_then_replay(tmp_path, s)
    assert live.response.status == replayed.response.status == 200
    assert replayed.response.body == live.response.body and "infra_error" not in replayed.meta


# --- budgets, rate, limits from the profile ------------------------------------------------------------------


def test_request_budget_counts_retries_and_stops_the_next_request() -> None:
    with Scripted(answer(429, {"error": {"message": "x"}}, {"retry-after": "0"}), answer()) as s:
        run = Run(Limits(max_requests=2, backoff=0))
        Transport(s.url, run=run).create(BODY)
        with pytest.raises(LimitReached, match="request budget of 2 spent"):
            Transport(s.url, run=run).create(BODY)
    assert s.calls == 2 and run.stats["requests"] == 2 and run.stats["retries"] == 1


def test_token_budget_counts_usage_of_the_answers() -> None:
    with Scripted(answer()) as s:
        run = Run(Limits(max_tokens=10, backoff=0))
        t = Transport(s.url, run=run)
        t.create(BODY)
        t.create(BODY)
        with pytest.raises(LimitReached, match=r"token budget of 10 spent \(14 used\)"):
            t.create(BODY)
    assert s.calls == 2


def test_tokens_are_read_from_a_stream_terminal_response() -> None:
    from respcompat.exchange import Event, Response

    done = Event(
        index=1, data={"type": "response.completed", "response": {"usage": {"input_tokens": 2, "output_tokens": 5}}}
    )
    assert tokens_of(Response(status=200, events=[Event(index=0, data={"type": "x"}), done])) == 7


def test_requests_per_second_spaces_the_requests_out() -> None:
    now = [100.0]
    run = Run(Limits(rps=2), clock=lambda: now[0])
    assert [run.admit(), run.admit(), run.admit()] == [0.0, 0.5, 1.0]
    now[0] += 5
    assert run.admit() == 0.0


def test_a_replay_neither_waits_nor_spends_the_budget() -> None:
    waits: list[float] = []
    with Scripted(answer(503, {"error": {"message": "x"}}, {"retry-after": "9"})) as s:
        t = Transport(s.url, limits=Limits(max_requests=1, retries=2), live=False, sleep=waits.append)
        ex = t.create(BODY)
    assert waits == [] and s.calls == 3 and ex.meta["infra_error"].endswith("after 3 attempt(s)")


def test_limits_come_from_the_profile_then_the_command_line() -> None:
    profile = SimpleNamespace(limits={"read_timeout": 30, "retries": 4, "rps": 1.5, "source": "X", "note": "n"})
    lim = Limits.resolve(profile, retries=1, deadline_s=None, max_tokens=5000)
    assert (lim.read_timeout, lim.retries, lim.rps, lim.max_tokens, lim.connect_timeout) == (30, 1, 1.5, 5000, 10.0)
    assert Transport.for_profile(profile, "http://127.0.0.1:1/v1", None).limits.read_timeout == 30


def test_the_profile_schema_validates_limits() -> None:
    data = yaml.safe_load((PROVIDERS_DIR / "openai.yaml").read_text())
    validate_profile_data({**data, "limits": {"read_timeout": 30, "rps": 2, "max_tokens": 100000}}, "openai.yaml")
    for bad in ({"retries": -1}, {"read_timeout": 0}, {"timeout": 3}):
        with pytest.raises(ProfileError, match="/limits"):
            validate_profile_data({**data, "limits": bad}, "openai.yaml")
