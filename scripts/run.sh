#!/usr/bin/env bash
# Sets up and runs the whole assistant locally: API, Rasa and the action server.
# First run: creates both virtual environments, migrates, seeds, trains. Later runs: seconds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

API_PORT="${API_PORT:-8000}"
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export API_URL="http://127.0.0.1:$API_PORT"
export RASA_URL="http://127.0.0.1:$RASA_PORT"
export ACTION_SERVER_URL="http://127.0.0.1:$ACTIONS_PORT"
export INTERNAL_TOKEN="${INTERNAL_TOKEN:-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')}"
export DEMO_ACCOUNTS="${DEMO_ACCOUNTS:-1}"  # a demo staff account for the desk (local runs only)
export APP_ENV="${APP_ENV:-development}"  # development secrets are fine locally (api/production_guard.py)
# `make eval` and `make bench` open hundreds of conversations and dozens of tickets from 127.0.0.1:
# locally the per-client limits are lifted unless set (production keeps 60/10min and 20/1h, decision 0012).
export RATE_LIMIT_CONVERSATIONS="${RATE_LIMIT_CONVERSATIONS:-100000/1min}"
export RATE_LIMIT_TICKETS="${RATE_LIMIT_TICKETS:-100000/1min}"
# One thread per service for BLAS, OpenMP (the e5 engine) and TensorFlow: idle worker threads spin
# and burned half of each message's CPU; a message's latency stayed the same (docs/performance.md).
# Setup and training above keep all cores.
SERVICE_THREADS="${SERVICE_THREADS:-1}"
PINNED=(env "OMP_NUM_THREADS=$SERVICE_THREADS" "OPENBLAS_NUM_THREADS=$SERVICE_THREADS" "MKL_NUM_THREADS=$SERVICE_THREADS"
        "TF_NUM_INTRAOP_THREADS=$SERVICE_THREADS" "TF_NUM_INTEROP_THREADS=$SERVICE_THREADS")
LOG_DIR="${LOG_DIR:-$ROOT/var/log}"
mkdir -p "$LOG_DIR"

setup_venvs
ensure_model

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  if [ "${#PIDS[@]}" -gt 0 ]; then
    say "Stopping"
    kill "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

say "Starting the action server and Rasa (logs in ${LOG_DIR#$ROOT/})"
# Rasa and the action server listen on 127.0.0.1 only (only the API talks to them). All three log
# through deploy/logging.yml (timestamps; no message text, token or phone number: api/logging_setup.py),
# and whatever they write outside it passes `log_to` (a timestamp on every line, the same scrubbing).
LOGGING="$ROOT/deploy/logging.yml"
log_to() { (cd "$ROOT" && exec "$API_PY" -m api.logging_setup >"$LOG_DIR/$1.log"); }
(cd "$ROOT" && PYTHONPATH="$ROOT" SANIC_HOST=127.0.0.1 exec "${PINNED[@]}" "$VENVS/bot/bin/rasa" run actions --actions actions \
   --port "$ACTIONS_PORT" --logging-config-file "$LOGGING" > >(log_to actions) 2>&1) &
PIDS+=($!)
# Rasa's coloured logs replace the handler's format (keeping the filter); this keeps the time unambiguous.
export COLOREDLOGS_DATE_FORMAT="%Y-%m-%dT%H:%M:%S%z"
(cd "$ROOT" && PYTHONPATH="$ROOT/bot:$ROOT" exec "${PINNED[@]}" "$VENVS/bot/bin/rasa" run --model "$MODEL" -i 127.0.0.1 \
   --port "$RASA_PORT" --endpoints bot/endpoints.yml --credentials bot/credentials.yml \
   --logging-config-file "$LOGGING" > >(log_to rasa) 2>&1) &
PIDS+=($!)
# Rasa loads its model meanwhile: migrating and seeding now costs no start-up time.
say "Migrating the database and loading the seed content (${DATABASE_URL:-SQLite in var/})"
(cd "$ROOT" && "$API_PY" -m api.cli setup)
say "Starting the API"
(cd "$ROOT" && exec "${PINNED[@]}" "$VENVS/api/bin/uvicorn" api.main:app --no-proxy-headers --host "${API_HOST:-127.0.0.1}" \
   --port "$API_PORT" --workers "${API_WORKERS:-1}" --log-config "$LOGGING" > >(log_to api) 2>&1) &
PIDS+=($!)

deadline=$((SECONDS + ${START_TIMEOUT:-300}))
# The service's own status is the first key (a job's status is nested further on).
until curl -fsS "$API_URL/health" 2>/dev/null | grep -q '^{"status":"ok"'; do
  for pid in "${PIDS[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "A process exited during start-up; see $LOG_DIR/*.log" >&2; tail -n 20 "$LOG_DIR"/*.log >&2; exit 1
    fi
  done
  if [ $SECONDS -ge $deadline ]; then echo "Not healthy in time: $(curl -s "$API_URL/health")" >&2; exit 1; fi
  sleep 1
done

cat <<MSG

  Bibliotekshjälpen is running.
    Demo chat:   $API_URL/
    API docs:    $API_URL/docs
    Health:      $API_URL/health
MSG
if [ "$DEMO_ACCOUNTS" = "1" ]; then
  cat <<MSG
    Staff desk:  $API_URL/desk  (demo login: demo@bibliotek.example / bibliotek-demo)
    Content:     $API_URL/content  (demo coordinator: samordnare@bibliotek.example / bibliotek-demo)
MSG
fi
cat <<MSG
  Press Ctrl-C to stop everything.

MSG
[ -n "${READY_FILE:-}" ] && echo ready > "$READY_FILE"
wait -n "${PIDS[@]}"
echo "A process stopped unexpectedly; see $LOG_DIR/*.log" >&2
exit 1
