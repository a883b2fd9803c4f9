#!/usr/bin/env bash
# The dashboard in a real headless Chromium: starts a sandbox and a hub (`rollcall sandbox`,
# `rollcall serve` on a throw-away SQLite file), creates a workspace with an owner and a viewer
# (`rollcall workspace create`, `rollcall user create`), and runs Tests/Browser/dashboard_test.py
# with Selenium. Installs Debian's chromium + chromium-driver and Selenium (PyPI, into .venv-test)
# when missing. Screenshots of the main pages go to .build/browser-screenshots/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/debug/rollcall}"
hub_port="${BROWSER_HUB_PORT:-18380}"
sandbox_port="${BROWSER_SANDBOX_PORT:-18390}"
work="$(mktemp -d)"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "installing chromium and chromium-driver from Debian's packages" >&2
  (apt-get update -q && apt-get install -y -q chromium chromium-driver) >&2 \
    || (sudo apt-get update -q && sudo apt-get install -y -q chromium chromium-driver) >&2
fi
if [ ! -x .venv-test/bin/python ]; then
  python3 -m venv .venv-test >&2 || { (apt-get install -y -q python3-venv || sudo apt-get install -y -q python3-venv) >&2; python3 -m venv .venv-test; }
fi
.venv-test/bin/python -c 'import selenium' 2>/dev/null || .venv-test/bin/pip install --quiet --disable-pip-version-check 'selenium==4.*' >&2

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

admin_token="browser-admin-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$binary" sandbox --port "$sandbox_port" --employees 30 --seed 7 --client-id browser-default \
  --client-secret "browser-default-secret-$RANDOM$RANDOM" --admin-token "$admin_token" >"$work/sandbox.log" 2>&1 &
pids+=($!)

export ROLLCALL_DATABASE_URL="sqlite://$work/rollcall.sqlite"
export ROLLCALL_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
export ROLLCALL_PORT="$hub_port" ROLLCALL_HOST=127.0.0.1 ROLLCALL_LOG_LEVEL=warning
# the sandbox runs on loopback, which the hub refuses to call unless the operator allows it
export ROLLCALL_OUTBOUND_ALLOW=127.0.0.1
# the operator's page (/operator) asks for the admin token
export ROLLCALL_ADMIN_TOKEN="browser-operator-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
workspace="$("$binary" workspace create --name "Browser test" --time-zone Europe/Berlin)"
owner_password="owner-password-$RANDOM$RANDOM"
viewer_password="viewer-password-$RANDOM$RANDOM"
ROLLCALL_USER_PASSWORD="$owner_password" "$binary" user create --workspace "$workspace" --email owner@browser.example \
  --name "Olivia Owner" --role owner >/dev/null
ROLLCALL_USER_PASSWORD="$viewer_password" "$binary" user create --workspace "$workspace" --email viewer@browser.example \
  --name "Victor Viewer" --role viewer >/dev/null
api_token="$("$binary" token create --workspace "$workspace" --name browser-test)"
"$binary" serve >"$work/hub.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$hub_port/health" >/dev/null 2>&1 \
    && curl -sf "http://127.0.0.1:$sandbox_port/sandbox/faults" -H "Authorization: Bearer $admin_token" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$hub_port/health" >/dev/null || { cat "$work/hub.log"; echo "the hub did not start" >&2; exit 1; }

rm -rf .build/browser-screenshots && mkdir -p .build/browser-screenshots
HUB_URL="http://localhost:$hub_port" SANDBOX_URL="http://127.0.0.1:$sandbox_port" SANDBOX_ADMIN_TOKEN="$admin_token" \
HUB_ADMIN_TOKEN="$ROLLCALL_ADMIN_TOKEN" OWNER_PASSWORD="$owner_password" VIEWER_PASSWORD="$viewer_password" API_TOKEN="$api_token" SCREENSHOTS="$PWD/.build/browser-screenshots" \
SCIM_DJANGO_URL="${ROLLCALL_TEST_SCIM_DJANGO_URL:-}" SCIM_TOKEN="${ROLLCALL_TEST_SCIM_TOKEN:-rollcall-test-scim}" \
  .venv-test/bin/python Tests/Browser/dashboard_test.py || { echo "--- hub log"; tail -50 "$work/hub.log"; exit 1; }
