#!/usr/bin/env bash
# Runs the README's tour (the block between <!-- tour:begin --> and <!-- tour:end -->) exactly as
# written against a freshly started sandbox, and fails if any command fails.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/debug/rollcall}"
log="$(mktemp)"
"$binary" sandbox --client-id demo-client --client-secret demo-secret --admin-token demo-admin >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
. scripts/wait-for-log.sh
wait_for_log "$log" "$pid" "listening" "the sandbox"
tour="$(awk '/<!-- tour:begin -->/{on=1;next}/<!-- tour:end -->/{on=0}on' README.md | sed '/^```/d')"
bash -euo pipefail -c "$tour" >/dev/null
echo "README tour: every command succeeded"
