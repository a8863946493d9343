#!/usr/bin/env python3
"""Start, wait for, and stop the local Responses API servers (llama.cpp, llama-stack, LiteLLM) on loopback.

    python scripts/local_server.py start llamacpp --port 8080 --log reports/llamacpp.log   # returns when ready
    python scripts/local_server.py stop llamacpp
    python scripts/local_server.py status llamacpp
    python scripts/local_server.py run llamacpp --port 8080 -- pytest suites --provider llamacpp  # always stops

The server runs in its own process group; its pid, port and log are kept in `.scratch/<name>.pid`, and
`stop` ends exactly that process group, nothing found by name.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServerSpec:
    name: str
    argv: tuple[str, ...]  # "{port}" is replaced by the port
    port: int
    health: str  # path that answers 200 once the server can take requests
    timeout: float  # default readiness bound, seconds


SERVERS = {
    "llamacpp": ServerSpec(
        "llamacpp",
        (sys.executable, str(ROOT / "scripts/serve_llamacpp.py"), "--port", "{port}"),
        8080,
        "/health",
        120.0,
    ),
    "llama-stack": ServerSpec(
        "llama-stack", ("bash", str(ROOT / "scripts/serve_llamastack.sh"), "{port}"), 8321, "/v1/health", 240.0
    ),
    "litellm": ServerSpec(
        "litellm", ("bash", str(ROOT / "scripts/serve_litellm.sh"), "{port}"), 4000, "/health/liveliness", 180.0
    ),
}


def state_dir() -> Path:
    return Path(os.environ.get("RESPCOMPAT_SCRATCH", ROOT / ".scratch"))


def pidfile_path(name: str, directory: Path | None = None) -> Path:
    return (directory or state_dir()) / f"{name}.pid"


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        return s.connect_ex((host, port)) == 0


def probe(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback URL built here
            return r.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_ready(url: str, timeout: float, proc: subprocess.Popen | None = None, interval: float = 0.25) -> str:
    """Poll `url` until it answers 200: 'ready', 'exited' (the process died first) or 'timeout'."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            return "exited"
        if probe(url, timeout=min(2.0, max(0.1, deadline - time.monotonic()))):
            return "ready"
        if time.monotonic() >= deadline:
            return "timeout"
        time.sleep(interval)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours still answers kill(0); it is gone for our purposes
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _start_time(pid: int) -> str | None:
    """Kernel start time of `pid`: with the pid it identifies the process even after pid reuse."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def read_pidfile(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def is_ours(state: dict) -> bool:
    pid = state.get("pid")
    return isinstance(pid, int) and _alive(pid) and _start_time(pid) == state.get("start_time")


def start(
    spec: ServerSpec,
    port: int | None = None,
    log: Path | None = None,
    timeout: float | None = None,
    directory: Path | None = None,
    extra: list[str] | None = None,
) -> dict:
    """Launch `spec` in the background and return its state once ready; on any failure nothing is left running."""
    port = port or spec.port
    pf = pidfile_path(spec.name, directory)
    old = read_pidfile(pf)
    if old and is_ours(old):
        raise RuntimeError(f"{spec.name} already running (pid {old['pid']}, port {old.get('port')}); stop it first")
    pf.unlink(missing_ok=True)  # stale
    if port_open(port):
        raise RuntimeError(f"port {port} on {HOST} is already taken by another process")
    log = Path(log) if log else pf.with_suffix(".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    pf.parent.mkdir(parents=True, exist_ok=True)
    argv = [a.replace("{port}", str(port)) for a in spec.argv] + list(extra or [])
    url = f"http://{HOST}:{port}{spec.health}"
    t0 = time.monotonic()
    with open(log, "ab") as fh:
        proc = subprocess.Popen(
            argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT, start_new_session=True
        )
    state = {
        "name": spec.name,
        "pid": proc.pid,
        "start_time": _start_time(proc.pid),
        "port": port,
        "url": f"http://{HOST}:{port}",
        "health": url,
        "log": str(log),
        "argv": argv,
    }
    pf.write_text(json.dumps(state, indent=1))
    try:
        outcome = wait_ready(url, spec.timeout if timeout is None else timeout, proc)
    except BaseException:
        stop_state(state, pf)
        raise
    if outcome != "ready":
        code = proc.poll()
        stop_state(state, pf)
        why = f"exited with code {code}" if outcome == "exited" else f"not ready within {timeout or spec.timeout:g}s"
        raise RuntimeError(f"{spec.name} {why}; last log lines:\n{tail(log)}")
    state["ready_seconds"] = round(time.monotonic() - t0, 2)
    pf.write_text(json.dumps(state, indent=1))
    return state


def stop_state(state: dict, pf: Path, grace: float = 10.0) -> bool:
    """End the process group recorded in `state` (only if it is still the process we started); remove `pf`."""
    stopped = False
    if is_ours(state):
        pid = state["pid"]
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pid, sig)  # the group we created with start_new_session: server and its children
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while _alive(pid) and time.monotonic() < deadline:
                _reap(pid)
                time.sleep(0.1)
            if not _alive(pid):
                break
        _reap(pid)
        stopped = True
    pf.unlink(missing_ok=True)
    return stopped


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop(name: str, directory: Path | None = None) -> bool:
    pf = pidfile_path(name, directory)
    state = read_pidfile(pf)
    if state is None:
        pf.unlink(missing_ok=True)
        return False
    return stop_state(state, pf)


@contextmanager
def serving(spec: ServerSpec, **kw):
    """`with serving(SERVERS['llamacpp'], port=8080) as st:` - the server is stopped however the block ends."""
    directory = kw.get("directory")
    state = start(spec, **kw)
    try:
        yield state
    finally:
        stop_state(state, pidfile_path(spec.name, directory))


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for cmd in ("start", "run"):
        p = sub.add_parser(cmd)
        p.add_argument("name", choices=sorted(SERVERS))
        p.add_argument("--port", type=int)
        p.add_argument("--log", type=Path, help="server output (default .scratch/<name>.log)")
        p.add_argument("--timeout", type=float, help="readiness bound in seconds")
    for cmd in ("stop", "status"):
        sub.add_parser(cmd).add_argument("name", choices=sorted(SERVERS))
    argv = list(sys.argv[1:] if argv is None else argv)
    # everything after the first "--" is the command for `run` (argparse REMAINDER would swallow options)
    cmd = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    args = ap.parse_args(argv)
    args.cmd = cmd
    if args.command == "run" and not cmd:
        ap.error("run needs a command after --")
    return args


def _interrupt(*_: object) -> None:
    """SIGTERM to this script becomes KeyboardInterrupt, so the finally/except paths stop the server."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "stop":
        print(f"{args.name}: {'stopped' if stop(args.name) else 'not running'}")
        return 0
    if args.command == "status":
        state = read_pidfile(pidfile_path(args.name))
        up = bool(state and is_ours(state))
        print(json.dumps({**(state or {}), "running": up, "ready": up and probe(state["health"])}))
        return 0 if up else 1
    spec = SERVERS[args.name]
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.command == "start":
            st = start(spec, port=args.port, log=args.log, timeout=args.timeout)
            print(f"{spec.name} ready at {st['url']} in {st['ready_seconds']}s (pid {st['pid']}, log {st['log']})")
            return 0
        with serving(spec, port=args.port, log=args.log, timeout=args.timeout) as st:
            print(f"{spec.name} ready at {st['url']} in {st['ready_seconds']}s", flush=True)
            return subprocess.call(args.cmd)
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{spec.name}: interrupted, stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
