#!/usr/bin/env bash
# Starts two independently written SCIM 2.0 servers for the tests, from PyPI in a venv (.venv-test):
# `scim2-server` on 127.0.0.1:${ROLLCALL_TEST_SCIM_PORT:-54330}, and django-scim2 (in the minimal
# Django project scripts/scimapp) on the next port; every test in a tenant of its own. Prints the
# exports the tests read; use it as `eval "$(bash scripts/start-scim.sh)"`. `stop` stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${ROLLCALL_TEST_SCIM_PORT:-54330}"
django_port=$((port + 1))
token="rollcall-test-scim"
pidfile="${TMPDIR:-/tmp}/rollcall-scim-$port.pid"
django_pidfile="${TMPDIR:-/tmp}/rollcall-scim-$django_port.pid"

if [ "${1:-}" = "stop" ]; then
  for file in "$pidfile" "$django_pidfile"; do
    [ -f "$file" ] && kill "$(cat "$file")" 2>/dev/null || true
    rm -f "$file"
  done
  exit 0
fi

if [ ! -x .venv-test/bin/scim2-server ] || ! .venv-test/bin/python -c 'import django_scim' 2>/dev/null; then
  if ! python3 -m venv .venv-test >&2; then
    # Debian splits venv out of python3
    (apt-get install -y -q python3-venv || sudo apt-get install -y -q python3-venv) >&2
    rm -rf .venv-test
    python3 -m venv .venv-test >&2
  fi
  .venv-test/bin/pip install --quiet --disable-pip-version-check 'scim2-server==0.*' 'django-scim2==0.23.*' >&2
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

# django-scim2: a fresh database each start, then Django's own development server
django_probe="http://127.0.0.1:$django_port/probe/scim/v2/ServiceProviderConfig"
if ! curl -sf -H "Authorization: Bearer $token" "$django_probe" >/dev/null 2>&1; then
  django_db="${TMPDIR:-/tmp}/rollcall-scimapp-$django_port.sqlite3"
  rm -f "$django_db"
  export DJANGO_SETTINGS_MODULE=scimapp.settings PYTHONPATH=scripts SCIMAPP_DB="$django_db" SCIMAPP_TOKEN="$token" \
    SCIMAPP_NETLOC="127.0.0.1:$django_port"
  .venv-test/bin/python -m django migrate --run-syncdb >&2
  nohup .venv-test/bin/python -m django runserver "127.0.0.1:$django_port" --noreload \
    >"${TMPDIR:-/tmp}/rollcall-scim-$django_port.log" 2>&1 &
  echo $! >"$django_pidfile"
  for _ in $(seq 1 100); do
    curl -sf -H "Authorization: Bearer $token" "$django_probe" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -sf -H "Authorization: Bearer $token" "$django_probe" >/dev/null \
    || { cat "${TMPDIR:-/tmp}/rollcall-scim-$django_port.log" >&2; echo "django-scim2 did not start" >&2; exit 1; }
fi
echo "export ROLLCALL_TEST_SCIM_URL=http://127.0.0.1:$port"
echo "export ROLLCALL_TEST_SCIM_DJANGO_URL=http://127.0.0.1:$django_port"
echo "export ROLLCALL_TEST_SCIM_TOKEN=$token"
