#!/usr/bin/env bash
# Fuzzes the hub's API with schemathesis (PyPI) against openapi.yaml: a sandbox and `rollcall serve`
# on loopback, a workspace with a source and connections made through the API, then every operation
# with the workspace token and the operator's routes with the admin token. Fails on any 5xx and on
# any status openapi.yaml does not document. Every URL in a request body is pointed at loopback
# (scripts/schemathesis_hooks.py). Usage: scripts/schemathesis.sh [path/to/rollcall]
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/debug/rollcall}"
hub_port="${FUZZ_HUB_PORT:-18280}"
sandbox_port="${FUZZ_SANDBOX_PORT:-18290}"
budget="${FUZZ_SECONDS:-150}"
work="$(mktemp -d)"
admin="fuzz-operator-token-0123456789abcdef"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

if [ ! -x .venv-test/bin/st ]; then
  [ -x .venv-test/bin/pip ] || python3 -m venv .venv-test >&2
  .venv-test/bin/pip install --quiet --disable-pip-version-check 'schemathesis==4.*' >&2
fi

"$binary" sandbox --port "$sandbox_port" --client-id fuzz-client --client-secret fuzz-secret-0123456789 \
  --admin-token fuzz-sandbox-admin --employees 40 --no-limits >"$work/sandbox.log" 2>&1 &
pids+=($!)
ROLLCALL_DATABASE_URL="sqlite://$work/hub.sqlite" ROLLCALL_MASTER_KEY="$(head -c 32 /dev/urandom | base64)" \
  ROLLCALL_ADMIN_TOKEN="$admin" ROLLCALL_PORT="$hub_port" ROLLCALL_LOG_LEVEL=warning ROLLCALL_OUTBOUND_ALLOW=127.0.0.1 \
  "$binary" serve >"$work/hub.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$hub_port/health" >/dev/null 2>&1 && curl -s "http://127.0.0.1:$sandbox_port/v1" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$hub_port/health" >/dev/null || { cat "$work/hub.log"; echo "the hub did not start"; exit 1; }

api() { curl -sf -X "$1" "http://127.0.0.1:$hub_port/api/v1$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' ${4:+-d "$4"}; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
token="$(api POST /workspaces "$admin" '{"name":"Fuzz"}' | json "['token']['token']")"
source_id="$(api POST /sources "$token" "{\"client_id\":\"fuzz-client\",\"client_secret\":\"fuzz-secret-0123456789\",\"base_url\":\"http://127.0.0.1:$sandbox_port/v1\"}" \
  | json "['source']['id']")"
for preset in time-tracking eor-onboarding survey; do
  api POST /connections "$token" "{\"source_id\":\"$source_id\",\"preset\":\"$preset\"}" >/dev/null
done
echo "== schemathesis: workspace routes (budget ${budget}s)"
export ROLLCALL_FUZZ_SANDBOX_URL="http://127.0.0.1:$sandbox_port"
export SCHEMATHESIS_HOOKS=scripts.schemathesis_hooks
status=0
PYTHONPATH=. .venv-test/bin/st run openapi.yaml --url "http://127.0.0.1:$hub_port" \
  -H "Authorization: Bearer $token" --checks not_a_server_error,status_code_conformance \
  --exclude-path-regex '^/api/v1/workspaces' --max-time "$budget" --workers 2 --no-color --phases examples,fuzzing,stateful --request-timeout 70 || status=$?
echo "== schemathesis: the operator's routes"
PYTHONPATH=. .venv-test/bin/st run openapi.yaml --url "http://127.0.0.1:$hub_port" \
  -H "Authorization: Bearer $admin" --checks not_a_server_error,status_code_conformance \
  --include-path-regex '^/api/v1/workspaces' --max-time 30 --workers 2 --no-color --phases examples,fuzzing,stateful --request-timeout 70 || status=$?
if grep -qi "fatal\|segmentation" "$work/hub.log"; then cat "$work/hub.log"; status=1; fi
kill -0 "${pids[1]}" 2>/dev/null || { echo "the hub died"; cat "$work/hub.log"; status=1; }
exit $status
