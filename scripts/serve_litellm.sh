#!/usr/bin/env bash
# Serve the LiteLLM proxy's Responses API on 127.0.0.1, with inference from the local llama.cpp server.
#   bash scripts/serve_litellm.sh install       # create .scratch/venvs/litellm (about 50 s, 750 MB), once
#   bash scripts/serve_litellm.sh [PORT]        # serve (installs first if needed); default port 4000
# Usually through: python scripts/local_server.py start litellm  (start llamacpp first: it is the upstream)
# Env: LLAMACPP_URL (default http://127.0.0.1:8080/v1), LLAMASTACK_URL (default http://127.0.0.1:8321/v1),
#      LITELLM_MASTER_KEY (default sk-respcompat-local: a loopback-only placeholder, not a credential), LITELLM_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${LITELLM_VENV:-$ROOT/.scratch/venvs/litellm}
# pinned: the release after it (1.107.0) was a compromised upload
PKGS=('litellm[proxy]==1.106.2')

install() {
  if [ -f "$VENV/.installed" ]; then return 0; fi
  echo "serve_litellm: installing into $VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"   # its own venv: litellm pins versions that would fight the project's
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet "${PKGS[@]}"
  touch "$VENV/.installed"
}

case "${1:-}" in
  install) install; echo "litellm installed in $VENV"; exit 0 ;;
  -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
esac
PORT=${1:-4000}
install
export LLAMACPP_URL=${LLAMACPP_URL:-http://127.0.0.1:8080/v1}
export LLAMASTACK_URL=${LLAMASTACK_URL:-http://127.0.0.1:8321/v1}
export LITELLM_MASTER_KEY=${LITELLM_MASTER_KEY:-sk-respcompat-local}
# the cost map and telemetry would otherwise be fetched from / sent to the internet
export LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_TELEMETRY=False
exec "$VENV/bin/litellm" --config "$ROOT/configs/litellm.yaml" --host 127.0.0.1 --port "$PORT"
