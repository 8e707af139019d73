#!/usr/bin/env bash
# Shutdown under load: wrk drives lookups over keep-alive connections while the service
# gets SIGTERM half-way; prints wrk's summary. Requests started before the listener closed
# must all be answered: wrk's "read" socket errors and its non-2xx responses
# must be 0. wrk counts a connection refused after the listener closed as a "write" (or
# "connect") error; a request lost on a connection already accepted is a "read" error.
#
#   bench/drain.sh                         # the release binary, SQLite demo data
#   DRAIN_MS=5000 CONNECTIONS=256 bench/drain.sh
#   BENCH_BIN=target/debug/customer-api bench/drain.sh
#
# Installs wrk when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk" >&2
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
bin="${BENCH_BIN:-target/release/customer-api}"
if [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release -p customer-server --bin customer-api
fi
port="${PORT:-18181}"
drain_ms="${DRAIN_MS:-1000}"
connections="${CONNECTIONS:-64}"
seconds="${SECONDS_TOTAL:-6}"
term_after="${TERM_AFTER:-2}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
APP__SERVER__PORT="$port" APP__AUTH__MODE=disabled APP__AUDIT__MODE=off \
  APP__AUTH__DEFAULT_RATE_LIMIT=1000000/s \
  APP__SERVER__DRAIN_DELAY_MS="$drain_ms" APP__LOG__LEVEL=warn \
  "$root/$bin" >"$work/service.log" 2>&1 &
service=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break
  sleep 0.1
done
url="http://127.0.0.1:$port/v1/core/customer?companyCode=jtc&customerId=54218&lang=en"
wrk -t2 -c"$connections" -d"${seconds}s" "$url" >"$work/wrk.txt" &
load=$!
sleep "$term_after"
kill -TERM "$service"
wait "$load"
status=0
wait "$service" || status=$?
echo "SIGTERM after ${term_after} s of ${seconds} s, drain delay ${drain_ms} ms, ${connections} connections; exit status ${status}"
cat "$work/wrk.txt"
if [ -s "$work/service.log" ]; then
  echo "service log (warn and above):"
  cat "$work/service.log"
fi
