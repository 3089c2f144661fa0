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
# The SQLite and the PostgreSQL half at once, each on a core of its own (a single process uses one:
# measured on a fresh clone here, 13 min for both halves at once, over 18 min one after the other);
# their output follows in turn.
api_half() {
  TEST_DATABASE="$1" "$VENVS/api/bin/pytest" -q -p no:cacheprovider tests/api --junitxml "$RESULTS/api-$1.xml" \
    >"$RESULTS/api-$1.log" 2>&1
}
say "API tests, the SQLite and the PostgreSQL half at once"
api_half sqlite & sqlite_pid=$!
api_half postgresql & postgresql_pid=$!
for half in sqlite postgresql; do
  pid_var="${half}_pid"
  if wait "${!pid_var}"; then tail -n 3 "$RESULTS/api-$half.log"; else cat "$RESULTS/api-$half.log"; echo "FAILED: API tests ($half)" >&2; failed=1; fi
done
step "End-to-end tests (the three real processes)" "$VENVS/api/bin/pytest" -q tests/e2e --junitxml "$RESULTS/e2e.xml"
"$API_PY" scripts/test_summary.py "$RESULTS"/*.xml
exit $failed
