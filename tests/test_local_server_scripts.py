"""scripts/local_server.py and scripts/serve_llamacpp.py without the heavy packages: stand-in servers only."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look the module up while the class is built
    spec.loader.exec_module(mod)
    return mod


ls = _load("local_server")
serve = _load("serve_llamacpp")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spec(argv, timeout=10.0, health="/"):
    return ls.ServerSpec("dummy", tuple(argv), _free_port(), health, timeout)


HTTP_SERVER = (sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "{port}")
NEVER_LISTENS = (sys.executable, "-c", "import time; time.sleep(60)")


def test_start_and_stop_parse_name_port_and_log():
    a = ls.parse_args(["start", "llamacpp", "--port", "8080", "--log", "reports/llamacpp.log"])
    assert (a.command, a.name, a.port, str(a.log)) == ("start", "llamacpp", 8080, "reports/llamacpp.log")
    assert ls.parse_args(["stop", "llamacpp"]).name == "llamacpp"


def test_run_keeps_options_before_the_double_dash_and_the_command_after_it():
    a = ls.parse_args(["run", "llamacpp", "--port", "8081", "--", "pytest", "--port", "9"])
    assert a.port == 8081 and a.cmd == ["pytest", "--port", "9"]


def test_run_without_a_command_is_a_usage_error():
    with pytest.raises(SystemExit):
        ls.parse_args(["run", "llamacpp"])


def test_unknown_server_name_is_a_usage_error():
    with pytest.raises(SystemExit):
        ls.parse_args(["start", "vllm"])


def test_every_known_server_has_a_serve_script():
    for spec in ls.SERVERS.values():
        assert any(Path(a).exists() for a in spec.argv if a.startswith(str(ls.ROOT))), spec.name


def test_readiness_poll_gives_up_within_its_bound_when_nobody_listens():
    t0 = time.monotonic()
    assert ls.wait_ready(f"http://127.0.0.1:{_free_port()}/health", timeout=1.0, interval=0.1) == "timeout"
    assert time.monotonic() - t0 < 5


def test_start_times_out_kills_the_server_and_removes_the_pidfile(tmp_path):
    spec = _spec(NEVER_LISTENS, timeout=1.0)
    with pytest.raises(RuntimeError, match="not ready within"):
        ls.start(spec, directory=tmp_path)
    assert not ls.pidfile_path("dummy", tmp_path).exists()


def test_start_reports_a_server_that_exits_at_once(tmp_path):
    spec = _spec((sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"))
    with pytest.raises(RuntimeError, match="exited with code 3(.|\n)*boom"):
        ls.start(spec, directory=tmp_path)
    assert not ls.pidfile_path("dummy", tmp_path).exists()


def test_stop_ends_the_started_process_and_removes_the_pidfile(tmp_path):
    state = ls.start(_spec(HTTP_SERVER), directory=tmp_path)
    pf = ls.pidfile_path("dummy", tmp_path)
    assert pf.exists() and ls.is_ours(state) and ls.probe(state["health"])
    assert ls.stop("dummy", tmp_path) is True
    assert not pf.exists() and not ls.is_ours(state) and not ls.port_open(state["port"])
    assert ls.stop("dummy", tmp_path) is False  # idempotent


def test_second_start_is_refused_while_the_first_runs(tmp_path):
    spec = _spec(HTTP_SERVER)
    with ls.serving(spec, directory=tmp_path), pytest.raises(RuntimeError, match="already running"):
        ls.start(spec, directory=tmp_path)
    assert not ls.pidfile_path("dummy", tmp_path).exists()


def test_start_refuses_a_port_someone_else_holds(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        spec = ls.ServerSpec("dummy", HTTP_SERVER, s.getsockname()[1], "/", 5.0)
        with pytest.raises(RuntimeError, match="already taken"):
            ls.start(spec, directory=tmp_path)


def test_stale_pidfile_of_a_dead_process_is_not_trusted(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    pf = ls.pidfile_path("dummy", tmp_path)
    pf.write_text(f'{{"pid": {dead.pid}, "start_time": "1"}}')
    assert ls.stop("dummy", tmp_path) is False and not pf.exists()


def test_serving_stops_the_server_when_the_block_raises(tmp_path):
    with pytest.raises(KeyError), ls.serving(_spec(HTTP_SERVER), directory=tmp_path) as state:
        raise KeyError("boom")
    assert not ls.is_ours(state) and not ls.pidfile_path("dummy", tmp_path).exists()


def test_llamacpp_server_refuses_a_non_loopback_host(monkeypatch):
    monkeypatch.delenv("LLAMACPP_THREADS", raising=False)
    with pytest.raises(SystemExit):
        serve.parse_args(["--host", "0.0.0.0"])
    a = serve.parse_args(["--port", "9000"])
    assert (a.host, a.port, a.alias, a.threads, a.n_ctx) == ("127.0.0.1", 9000, "gemma-3-270m", 1, 4096)


def test_gemma_template_has_turn_markers_and_a_generation_prompt():
    t = serve.GEMMA_TEMPLATE
    assert "<start_of_turn>" in t and "<end_of_turn>" in t and "add_generation_prompt" in t
