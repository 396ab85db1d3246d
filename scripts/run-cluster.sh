#!/usr/bin/env bash
# Start a local cluster in the foreground: N Rasa servers + 1 action server on
# loopback, nginx in front (deploy/nginx.conf), conversations in PostgreSQL and
# the lock store in Redis (deploy/endpoints.cluster.yml). Ctrl-C stops it all.
#
#   scripts/run-cluster.sh            # or: make run-cluster RASA_SERVERS=3
#
# Settings (environment, defaults for this machine):
#   RASA_SERVERS=2  LB_PORT=8080  RASA_PORT_BASE=5105  ACTION_PORT=5155
#   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tro_ly_797   (agency data)
#   TRACKER_DB_HOST/PORT/NAME/USER/PASSWORD/LOGIN_DB (conversations; NAME=rasa_trackers)
#   REDIS_HOST/PORT/DB/PASSWORD/KEY_PREFIX (lock store; DB=1)
#   RASA_AUTH_TOKEN (enables Rasa's HTTP API on each server, token-protected)
#   ACTION_TIMEOUT_S=6  DB_TIMEOUT_S=3  TICKET_LOCK_LIFETIME=20  NGINX_RATE=100 (r/s per client address)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
N=${RASA_SERVERS:-2}
LB_PORT=${LB_PORT:-8080}
RASA_PORT_BASE=${RASA_PORT_BASE:-5105}
ACTION_PORT=${ACTION_PORT:-5155}
RUN_DIR=${CLUSTER_RUN_DIR:-$PWD/var/cluster}
MODEL=${MODEL:-models/tro-ly-797.tar.gz}

export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SANIC_HOST=127.0.0.1
export DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tro_ly_797}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_PORT/webhook}
export TRACKER_DB_HOST=${TRACKER_DB_HOST:-127.0.0.1} TRACKER_DB_PORT=${TRACKER_DB_PORT:-5432}
export TRACKER_DB_NAME=${TRACKER_DB_NAME:-rasa_trackers} TRACKER_DB_USER=${TRACKER_DB_USER:-postgres}
export TRACKER_DB_PASSWORD=${TRACKER_DB_PASSWORD:-} TRACKER_DB_LOGIN_DB=${TRACKER_DB_LOGIN_DB:-postgres}
export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379} REDIS_DB=${REDIS_DB:-1}
export REDIS_PASSWORD=${REDIS_PASSWORD:-} REDIS_KEY_PREFIX=${REDIS_KEY_PREFIX:-troly797}
export REST_RATE_LIMIT_MESSAGES=${REST_RATE_LIMIT_MESSAGES:-30}
export ACTION_TIMEOUT_S=${ACTION_TIMEOUT_S:-6}
# A crashed server's conversation locks expire after this many seconds (Rasa default 60).
export TICKET_LOCK_LIFETIME=${TICKET_LOCK_LIFETIME:-20}

command -v nginx >/dev/null || { echo "nginx is missing: run 'make nginx' (Debian package)." >&2; exit 1; }
[ -f "$MODEL" ] || { echo "$MODEL is missing: run 'make model'." >&2; exit 1; }
mkdir -p "$RUN_DIR"

# Databases and tracker tables, once, before N servers start together.
$BIN/python scripts/cluster_prepare.py

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

wait_http() {  # url pid name
  for _ in $(seq 1 240); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited; see $RUN_DIR/$3.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "$3 did not start; see $RUN_DIR/$3.log" >&2; exit 1
}

$BIN/python -m rasa_sdk --actions actions -p "$ACTION_PORT" >"$RUN_DIR/actions.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$ACTION_PORT/health" "${pids[-1]}" actions
echo "Action server: http://127.0.0.1:$ACTION_PORT (loopback only)"

api=()
[ -n "${RASA_AUTH_TOKEN:-}" ] && api=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
servers=""
for i in $(seq 0 $((N - 1))); do
  port=$((RASA_PORT_BASE + i))
  $BIN/rasa run -i 127.0.0.1 -p "$port" --model "$MODEL" \
    --endpoints deploy/endpoints.cluster.yml --credentials deploy/credentials.cluster.yml \
    "${api[@]}" >"$RUN_DIR/rasa-$i.log" 2>&1 &
  pids+=($!)
  servers+="        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
done
for i in $(seq 0 $((N - 1))); do
  wait_http "http://127.0.0.1:$((RASA_PORT_BASE + i))/webhooks/rest/" "${pids[$((i + 1))]}" "rasa-$i"
  echo "Rasa server $i: http://127.0.0.1:$((RASA_PORT_BASE + i))"
done

conf="$RUN_DIR/nginx.conf"
awk -v servers="$servers" -v run="$RUN_DIR" -v listen="127.0.0.1:$LB_PORT" \
    -v rate="${NGINX_RATE:-100}" -v burst="${NGINX_BURST:-500}" '
  /^@SERVERS@$/ { printf "%s", servers; next }
  { gsub(/@RUN_DIR@/, run); gsub(/@LISTEN@/, listen); gsub(/@RATE@/, rate); gsub(/@BURST@/, burst); print }
' deploy/nginx.conf >"$conf"
nginx -t -c "$conf" -p "$RUN_DIR" 2>"$RUN_DIR/nginx-test.log" || { cat "$RUN_DIR/nginx-test.log" >&2; exit 1; }
nginx -c "$conf" -p "$RUN_DIR" &
pids+=($!)
wait_http "http://127.0.0.1:$LB_PORT/healthz" "${pids[-1]}" nginx
echo "Load balancer: POST http://127.0.0.1:$LB_PORT/webhooks/rest/webhook  (Content-Type: application/json)"
echo "Logs: $RUN_DIR   Ctrl-C stops the cluster."
# One Rasa server exiting does not stop the others (nginx routes around it).
wait
