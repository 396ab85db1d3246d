#!/usr/bin/env bash
# Start the action server (127.0.0.1:5055), the deadline-reminder scheduler
# (`python -m bot scheduler`, in the background) and the Rasa server (127.0.0.1:5005)
# in the foreground; Ctrl-C stops all three. `scripts/run.sh shell` chats in the
# terminal (without the scheduler).
# Settings: RASA_PORT, ACTION_PORT, RASA_HOST (default 127.0.0.1),
# RASA_AUTH_TOKEN (enables Rasa's HTTP API, token-protected), DATABASE_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
RASA_HOST=${RASA_HOST:-127.0.0.1}
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
export SANIC_HOST=${SANIC_HOST:-127.0.0.1}

SANIC_HOST=$SANIC_HOST $BIN/python -m rasa_sdk --actions actions -p "$ACTION_PORT" &
actions_pid=$!
endpoints=$(mktemp)
scheduler_pid=
trap 'kill $actions_pid $scheduler_pid 2>/dev/null; wait $actions_pid $scheduler_pid 2>/dev/null; rm -f "$endpoints"' EXIT INT TERM

for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$ACTION_PORT/health" >/dev/null 2>&1 && break
  kill -0 $actions_pid 2>/dev/null || { echo "The action server did not start." >&2; exit 1; }
  sleep 0.5
done
echo "Action server: http://127.0.0.1:$ACTION_PORT/health"

sed "s#http://127.0.0.1:5055/webhook#http://127.0.0.1:$ACTION_PORT/webhook#" endpoints.yml > "$endpoints"

if [ "${1:-}" = "shell" ]; then
  $BIN/rasa shell --model models --endpoints "$endpoints"
  exit
fi

# Deadline reminders for subscribed officials (Telegram, Zalo); one log line when no channel is configured.
$BIN/python -m bot scheduler &
scheduler_pid=$!

api=()
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  api=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
  echo "Rasa HTTP API enabled (token required)."
fi
$BIN/python scripts/channels.py --host "$RASA_HOST" --port "$RASA_PORT"   # which channels are on
echo "REST channel: POST http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook  {\"sender\": \"me\", \"message\": \"xin chào\"}"
echo "socket.io channel: http://$RASA_HOST:$RASA_PORT/socket.io/"
$BIN/rasa run -i "$RASA_HOST" -p "$RASA_PORT" --model models --credentials credentials.yml \
  --endpoints "$endpoints" --cors "${RASA_CORS:-*}" "${api[@]}"
