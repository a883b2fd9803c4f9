#!/usr/bin/env bash
# Starts a throw-away PostgreSQL for the storage tests and prints the URL to export as
# ROLLCALL_TEST_POSTGRES_URL. Installs PostgreSQL from Debian's packages when it is missing.
# Usage: eval "$(scripts/start-postgres.sh)"   — stop it with: scripts/start-postgres.sh stop
set -euo pipefail
port="${ROLLCALL_TEST_POSTGRES_PORT:-54329}"
data="${TMPDIR:-/tmp}/rollcall-postgres-$port"

bin=""
for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bin="$candidate"
done
if [ "${1:-}" = "stop" ]; then
    [ -n "$bin" ] && [ -d "$data" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$data" -m fast stop >&2 || true
    exit 0
fi
if [ -z "$bin" ]; then
    echo "installing PostgreSQL from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    for candidate in /usr/lib/postgresql/*/bin; do
        [ -x "$candidate/initdb" ] && bin="$candidate"
    done
fi
[ -n "$bin" ] || { echo "PostgreSQL is not installed and could not be installed" >&2; exit 1; }

# PostgreSQL refuses to run as root: run it as the package's postgres user when we are root.
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ -d "$data" ]; then as_postgres "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$data"; fi
mkdir -p "$data"
[ "$(id -u)" = 0 ] && chown postgres "$data"
as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2
as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres rollcall_test
echo "export ROLLCALL_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/rollcall_test?sslmode=disable"
