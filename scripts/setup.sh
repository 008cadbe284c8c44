#!/usr/bin/env bash
# Set up everything Porte-voix needs on this machine; safe to run again (it skips what is done).
#   scripts/setup.sh          the service (runtime deps)
#   scripts/setup.sh --dev    the service and the test suite
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1
VENV=${PORTE_VOIX_VENV:-.venv}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}

# System packages: espeak-ng (offline voice), ffmpeg (audio formats), Pango (PDF layout),
# chromium (browser tests).
need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
# Pango lays out the workshop pack's PDF (WeasyPrint).
libs=$( (ldconfig -p || /sbin/ldconfig -p) 2>/dev/null || true)
[[ $libs == *libpango-1.0.so* ]] || need+=(libpango-1.0-0)
[[ $libs == *libpangoft2-1.0.so* ]] || need+=(libpangoft2-1.0-0)
if [ "$DEV" = 1 ]; then
  command -v chromium >/dev/null || need+=(chromium)
  [ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-color-emoji)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: please install: sudo apt-get install ${need[*]}" >&2
  fi
fi

# Python environment, reinstalled only when pyproject.toml changes.
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
extras=""
[ "$DEV" = 1 ] && extras="[dev]"
stamp="$VENV/.porte-voix-$(sha256sum pyproject.toml | cut -c1-16)$extras"
if [ ! -f "$stamp" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".$extras"
  touch "$stamp"
fi

# The embedded NLU model, trained once from nlu/rasa/data/nlu.yml and cached by its hash.
"$VENV/bin/porte-voix" nlu train >/dev/null

# Front-end test tools (axe-core) from the npm registry, when the project declares them.
if [ "$DEV" = 1 ] && [ -f package.json ] && command -v npm >/dev/null; then
  if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
    npm install --no-audit --no-fund --silent
    touch node_modules
  fi
fi
echo "setup: ready ($VENV)"
