#!/usr/bin/env bash
# Starts a real SCIM 2.0 server for the tests: `scim2-server` from PyPI in a venv (.venv-test),
# on 127.0.0.1:${ROLLCALL_TEST_SCIM_PORT:-54330}, every test in a tenant of its own. Prints the
# exports the tests read; use it as `eval "$(bash scripts/start-scim.sh)"`. `stop` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${ROLLCALL_TEST_SCIM_PORT:-54330}"
token="rollcall-test-scim"
pidfile="${TMPDIR:-/tmp}/rollcall-scim-$port.pid"

if [ "${1:-}" = "stop" ]; then
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
  exit 0
fi

if [ ! -x .venv-test/bin/scim2-server ]; then
  if ! python3 -m venv .venv-test >&2; then
    # Debian splits venv out of python3
    (apt-get install -y -q python3-venv || sudo apt-get install -y -q python3-venv) >&2
    rm -rf .venv-test
    python3 -m venv .venv-test >&2
  fi
  .venv-test/bin/pip install --quiet --disable-pip-version-check 'scim2-server==0.*' >&2
fi

if ! curl -sf "http://127.0.0.1:$port/probe/v2/ServiceProviderConfig" >/dev/null 2>&1; then
  nohup .venv-test/bin/scim2-server --port "$port" --bearer-token "$token" --dynamic-tenants \
    >"${TMPDIR:-/tmp}/rollcall-scim-$port.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/probe/v2/ServiceProviderConfig" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$port/probe/v2/ServiceProviderConfig" >/dev/null \
    || { cat "${TMPDIR:-/tmp}/rollcall-scim-$port.log" >&2; echo "scim2-server did not start" >&2; exit 1; }
fi
echo "export ROLLCALL_TEST_SCIM_URL=http://127.0.0.1:$port"
echo "export ROLLCALL_TEST_SCIM_TOKEN=$token"
