#!/usr/bin/env bash
# Create (or reuse) the Rasa 3.6 environment outside the clone and print its directory.
#
# The venv lives in ${PORTE_VOIX_RASA_HOME:-$HOME/.cache/porte-voix}/rasa-3.6-py3.10 and is
# reused when its stamp matches the requirements and the interpreter. Override the Python
# 3.10 interpreter with PORTE_VOIX_PYTHON310. Progress goes to stderr; stdout is the path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/rasa-requirements.txt"
constraints="$here/rasa-constraints.txt"
home="${PORTE_VOIX_RASA_HOME:-$HOME/.cache/porte-voix}"
venv="$home/rasa-3.6-py3.10"
pip_pins="pip==24.0 setuptools==70.3.0 wheel==0.43.0"

find_python310() {
    if [[ -n "${PORTE_VOIX_PYTHON310:-}" ]]; then
        if "$PORTE_VOIX_PYTHON310" -c 'import sys; assert sys.version_info[:2] == (3, 10)' \
            2>/dev/null; then
            echo "$PORTE_VOIX_PYTHON310"; return
        fi
        echo "rasa-env: PORTE_VOIX_PYTHON310=$PORTE_VOIX_PYTHON310 is not a Python 3.10" >&2
        exit 2
    fi
    local candidate
    for candidate in python3.10 \
        "$(command -v pyenv >/dev/null 2>&1 && pyenv root 2>/dev/null)/versions/"3.10*/bin/python3.10; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
            command -v "$candidate"; return
        fi
    done
    echo "rasa-env: no Python 3.10 found; install one (pyenv install 3.10, uv python install" \
         "3.10, or your distribution's python3.10) or set PORTE_VOIX_PYTHON310" >&2
    exit 2
}

python310="$(find_python310)"
stamp="$( { cat "$requirements" "$constraints"; echo "$pip_pins"; "$python310" -VV; } | sha256sum | cut -c1-16)"

if [[ -f "$venv/.porte-voix-stamp" && "$(cat "$venv/.porte-voix-stamp")" == "$stamp" \
      && -x "$venv/bin/rasa" ]]; then
    echo "rasa-env: reusing $venv" >&2
    echo "$venv"
    exit 0
fi

mkdir -p "$home"
exec 9>"$home/.rasa-env.lock"
flock 9
# Another process may have finished the install while we waited for the lock.
if [[ -f "$venv/.porte-voix-stamp" && "$(cat "$venv/.porte-voix-stamp")" == "$stamp" ]]; then
    echo "$venv"
    exit 0
fi

echo "rasa-env: creating $venv with $python310 (this takes several minutes)" >&2
start=$(date +%s)
rm -rf "$venv"
"$python310" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check $pip_pins >&2
"$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
    -r "$requirements" -c "$constraints" >&2
"$venv/bin/rasa" --version >&2
echo "$stamp" > "$venv/.porte-voix-stamp"
echo "rasa-env: ready in $(( $(date +%s) - start ))s, $(du -sh "$venv" | cut -f1)" >&2
echo "$venv"
