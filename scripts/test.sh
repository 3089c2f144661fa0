#!/usr/bin/env bash
# The whole test suite: lint, API (SQLite and PostgreSQL), actions, Rasa validation and
# conversation tests, and the end-to-end run of the three real processes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
RESULTS="$ROOT/var/test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
failed=0
step() { say "$1"; shift; "$@" || { echo "FAILED: $*" >&2; failed=1; }; }

setup_venvs
ensure_browser_tools
ensure_model
step "Lint (ruff)" "$VENVS/api/bin/ruff" check api actions bot scripts tests
generate_nlu
step "Rasa training data validation" env PYTHONPATH="$ROOT/bot" "$VENVS/bot/bin/rasa" data validate --fail-on-warnings \
  --config bot/config.yml --domain bot/domain.yml --data $TRAINING_DATA
step "Rasa conversation tests" env PYTHONPATH="$ROOT/bot" "$VENVS/bot/bin/rasa" test core --model "$MODEL" \
  --stories tests/rasa/test_stories.yml --fail-on-prediction-errors --out "$RESULTS/rasa" --quiet
step "Action server tests (the reply action)" env PYTHONPATH="$ROOT" "$VENVS/bot/bin/python" -m pytest -q \
  -p no:cacheprovider tests/actions --junitxml "$RESULTS/actions.xml"
step "Bot run-time tests (tracker store, internal channel)" env PYTHONPATH="$ROOT" "$VENVS/bot/bin/python" -m pytest -q \
  -p no:cacheprovider tests/bot --junitxml "$RESULTS/bot.xml"
# The last three steps at once, each writing its own log, shown in turn when it ends: the API
# tests' SQLite half and PostgreSQL half (one pytest process keeps one core busy) and the end-to-end
# tests (they wait on restarts, timers and the browser much of the time). Measured on a quiet
# 2-core machine: 9.7 min at once, 13.8 min one after the other (docs/performance.md).
declare -A pids=()
background() {  # background NAME COMMAND...: run it with its output in $RESULTS/NAME.log
  local name="$1"; shift
  "$@" >"$RESULTS/$name.log" 2>&1 &
  pids[$name]=$!
}
say "API tests (SQLite half, PostgreSQL half) and end-to-end tests (the three real processes), at once"
# One thread each for the numeric libraries: three processes share two cores, and idle threads
# that spin only take time from the others (scripts/run.sh pins the stack's processes the same way).
for db in sqlite postgresql; do
  background "api-$db" env TEST_DATABASE="$db" OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$VENVS/api/bin/pytest" -q -p no:cacheprovider tests/api \
    --junitxml "$RESULTS/api-$db.xml"
done
background e2e "$VENVS/api/bin/pytest" -q tests/e2e --junitxml "$RESULTS/e2e.xml"
for name in api-sqlite api-postgresql e2e; do
  if wait "${pids[$name]}"; then
    say "$name: passed"; tail -n 3 "$RESULTS/$name.log"
  else
    say "$name: FAILED"; cat "$RESULTS/$name.log"; echo "FAILED: $name" >&2; failed=1
  fi
done
"$API_PY" scripts/test_summary.py "$RESULTS"/*.xml
exit $failed
