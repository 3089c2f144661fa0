# Shared helpers for the project scripts. Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="$ROOT/.venvs"
API_PY="$VENVS/api/bin/python"
BOT_PY="$VENVS/bot/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }

find_python() {  # find_python 3.10
  local v="$1" p
  for p in "python$v" "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/$v"*/bin/"python$v" \
           /root/.pyenv/versions/"$v"*/bin/"python$v" /usr/bin/"python$v" /usr/local/bin/"python$v"; do
    if [ -n "$p" ] && command -v "$p" >/dev/null 2>&1 && "$p" -c 'import venv' 2>/dev/null; then
      command -v "$p"; return 0
    fi
  done
  echo "Python $v is required but was not found (looked on PATH and in pyenv)" >&2
  return 1
}

# ensure_venv NAME PYTHON_VERSION REQUIREMENTS_FILE: create or update a venv when its requirements change.
ensure_venv() {
  local name="$1" version="$2" req="$3" dir="$VENVS/$1"
  local stamp="$dir/.requirements.sha" want
  # The requirements file and the ones it includes with -r decide when to reinstall.
  want="$(cat "$req" $(sed -n 's/^-r *//p' "$req" | sed "s|^|$(dirname "$req")/|") | sha256sum | cut -c1-16)"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  say "Setting up the $name environment (Python $version) from requirements/$(basename "$req")"
  [ -x "$dir/bin/python" ] || "$(find_python "$version")" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  "$dir/bin/python" -m pip install -q -r "$req" 2>&1 | grep -v '^WARNING: Location' || true
  "$dir/bin/python" -m pip check >/dev/null 2>&1 || "$dir/bin/python" -m pip install -q -r "$req"
  echo "$want" > "$stamp"
}

setup_venvs() {
  ensure_venv api 3.11 "$ROOT/requirements/dev.txt"
  ensure_venv bot 3.10 "$ROOT/requirements/bot.txt"
}

# ensure_browser_tools: Debian's Chromium and the npm packages of the browser tests (tests/browser/).
# Playwright is used as playwright-core only: it drives /usr/bin/chromium and never downloads a browser.
ensure_browser_tools() {
  local dir="$ROOT/tests/browser" stamp="$ROOT/tests/browser/node_modules/.lock.sha" want
  if [ ! -x /usr/bin/chromium ]; then
    say "Installing Chromium (Debian package) for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  want="$(browser_lock_hash)"
  if [ -d "$dir/node_modules" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  say "Installing the browser tests' npm packages (tests/browser/)"
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error)
  fi
  browser_lock_hash > "$stamp"
}

browser_lock_hash() {  # of package.json and package-lock.json (the lock file may not exist yet)
  local f
  for f in package.json package-lock.json; do
    if [ -f "$ROOT/tests/browser/$f" ]; then sha256sum < "$ROOT/tests/browser/$f"; fi
  done | sha256sum | cut -c1-16
}

# Rasa's training data: the NLU files, rules and stories, and ask_question examples drawn from the FAQ.
TRAINING_DATA="data/nlu data/dialogue var/nlu-generated"
generate_nlu() {
  (cd "$ROOT" && "$API_PY" scripts/nlu_from_faq.py var/nlu-generated/faq.yml)
}

# The model is named after a hash of everything Rasa trains from, so it retrains only on change.
# It hashes the NLU generated from the FAQ, not the FAQ itself: answers and later variants are
# served live from the database and must not force a retraining.
model_fingerprint() {
  generate_nlu >/dev/null
  # Only what training reads: the pipeline, the domain, the graph components and the data. Run-time
  # wiring (endpoints, credentials, tracker and lock stores, channels) does not change the model.
  (cd "$ROOT" && find bot/config.yml bot/domain.yml bot/components data/nlu data/dialogue var/nlu-generated -type f \( -name '*.yml' -o -name '*.py' \) -not -path '*/__pycache__/*' \
     | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
}

ensure_model() {
  local fp; fp="$(model_fingerprint)"
  MODEL="$ROOT/models/bibliotekshjalpen-$fp.tar.gz"
  if [ -f "$MODEL" ]; then return 0; fi
  say "Training the Rasa model (bot/ or training data changed)"
  # First every text both sides embed, once and on every core (the API's FAQ variants and the
  # training examples): Rasa's featurizer then reads them from the cache instead of embedding.
  (cd "$ROOT" && "$API_PY" -m api.cli warm-cache $TRAINING_DATA) \
    || say "Warming the embedding cache failed; training and the API embed what they need themselves"
  (cd "$ROOT" && PYTHONPATH="$ROOT/bot" "$VENVS/bot/bin/rasa" train --config bot/config.yml --domain bot/domain.yml \
      --data $TRAINING_DATA --out models --fixed-model-name "bibliotekshjalpen-$fp" --quiet)
}
