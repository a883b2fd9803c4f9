# Sourced by the CI scripts: wait_for_log LOG PID PATTERN WHAT [TRIES] [SLEEP] waits until the process
# PID has written a line matching PATTERN to LOG, and fails with the log when it exits or never does.
wait_for_log() {
  local log="$1" pid="$2" pattern="$3" what="$4" tries="${5:-100}" pause="${6:-0.1}"
  for _ in $(seq 1 "$tries"); do
    grep -q "$pattern" "$log" && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "$what exited"; exit 1; }
    sleep "$pause"
  done
  grep -q "$pattern" "$log" || { cat "$log"; echo "$what did not start"; exit 1; }
}
