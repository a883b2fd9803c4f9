#!/usr/bin/env bash
# Unmodified third-party Personio clients against `rollcall sandbox`: Hochfrequenz's v2 client
# (PyPI `personio-client`, installed into .venv-test) runs Tests/ThirdParty/personio_client_v2.py.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/debug/rollcall}"
port="${THIRD_PARTY_SANDBOX_PORT:-18490}"
employees=120
admin="third-party-admin-$RANDOM$RANDOM"

if [ ! -x .venv-test/bin/python ]; then
  python3 -m venv .venv-test >&2 || { (apt-get install -y -q python3-venv || sudo apt-get install -y -q python3-venv) >&2; python3 -m venv .venv-test; }
fi
.venv-test/bin/python -c 'import personio_client' 2>/dev/null \
  || .venv-test/bin/pip install --quiet --disable-pip-version-check 'personio-client==0.1.0a1' >&2

log="$(mktemp)"
"$binary" sandbox --port "$port" --employees "$employees" --seed 3 --client-id third-party \
  --client-secret third-party-secret --admin-token "$admin" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
. scripts/wait-for-log.sh
wait_for_log "$log" "$pid" "listening" "the sandbox"

SANDBOX_URL="http://127.0.0.1:$port" SANDBOX_ADMIN_TOKEN="$admin" SANDBOX_EMPLOYEES="$employees" \
  .venv-test/bin/python Tests/ThirdParty/personio_client_v2.py
echo "third-party clients: every check passed"
