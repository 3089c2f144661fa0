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
  want="$(cat "$ROOT/requirements/"*.txt | sha256sum | cut -c1-16)-$(basename "$req")"
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

# The model is named after a hash of everything Rasa trains from, so it retrains only on change.
model_fingerprint() {
  (cd "$ROOT" && find bot data/nlu data/dialogue -type f \( -name '*.yml' -o -name '*.py' \) -not -path '*/__pycache__/*' \
     | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
}

ensure_model() {
  local fp; fp="$(model_fingerprint)"
  MODEL="$ROOT/models/bibliotekshjalpen-$fp.tar.gz"
  if [ -f "$MODEL" ]; then return 0; fi
  say "Training the Rasa model (bot/ or training data changed)"
  (cd "$ROOT" && PYTHONPATH="$ROOT/bot" "$VENVS/bot/bin/rasa" train --config bot/config.yml --domain bot/domain.yml \
      --data data/nlu data/dialogue --out models --fixed-model-name "bibliotekshjalpen-$fp" --quiet)
}
