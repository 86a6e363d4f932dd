# Sourced by the benchmark scripts: holds FLUXBUS_LOCK [/tmp/fluxbus-mvn.lock] on file descriptor 9 until the
# script exits, so that no other build or benchmark on the machine competes for the cores while one measures.
lock="${FLUXBUS_LOCK:-/tmp/fluxbus-mvn.lock}"
exec 9>"$lock"
if ! flock -n 9; then
  echo "waiting for $lock (another build or benchmark is running)..." >&2
  flock 9
fi
