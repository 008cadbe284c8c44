#!/usr/bin/env bash
# Start a real Rasa NLU server for the tests and print its URL on stdout.
#
# Creates the Rasa environment if needed (scripts/rasa-env.sh), trains the model unless the
# cached one matches the pipeline and data (porte-voix nlu train --backend rasa), starts
# `rasa run --enable-api` on a free 127.0.0.1 port in the background and waits until it
# parses. The server's pid goes to $1 (default $PORTE_VOIX_RASA_HOME/serve.pid), its log to
# serve.log beside it. Stop it with: kill "$(cat PIDFILE)".
# PORTE_VOIX_PYTHON names the project's interpreter (default: python3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${PORTE_VOIX_RASA_HOME:-$HOME/.cache/porte-voix}"
pidfile="${1:-$home/serve.pid}"
python="${PORTE_VOIX_PYTHON:-python3}"
wait_seconds="${RASA_START_TIMEOUT:-300}"
mkdir -p "$home"
log="$home/serve.log"

cd "$root"
"$python" -m bot.cli nlu train --backend rasa >&2
port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
nohup "$python" -m bot.cli nlu serve --port "$port" >"$log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pidfile"

deadline=$(( $(date +%s) + wait_seconds ))
until "$python" - "$url" <<'PY' 2>/dev/null
import sys, httpx
r = httpx.post(sys.argv[1] + "/model/parse", json={"text": "bonjour"}, timeout=5)
sys.exit(0 if r.status_code == 200 and r.json().get("intent", {}).get("name") else 1)
PY
do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "rasa-serve: the server exited; last lines of $log:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    if (( $(date +%s) > deadline )); then
        echo "rasa-serve: no answer from $url after ${wait_seconds}s; see $log" >&2
        kill "$pid" 2>/dev/null || true
        exit 1
    fi
    sleep 2
done
echo "rasa-serve: $url ready (pid $pid)" >&2
echo "$url"
