#!/usr/bin/env bash
# The load benchmark: the service against PostgreSQL's own limit for the same statements.
#
#   bench/run.sh                       # 10,000 and 1,000,000 customers, 3 runs of 5 s each
#   BENCH_SIZES=10000 BENCH_RUNS=1 bench/run.sh   # a quick look
#   BENCH_SECURITY=1 bench/run.sh                 # what authentication and the sync audit
#                                                 # trail cost (bench/security.py)
#
# Needs PostgreSQL at BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres)
# with the right to create databases and read its log (log_statement is switched on for a
# moment to capture the statements the service sends). Installs wrk when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk" >&2
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
for tool in pgbench psql python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done

cargo build --release -p customer-server -p customer-synthetic
if [ -n "${BENCH_SECURITY:-}" ]; then
  exec python3 bench/security.py "$@"
fi
exec python3 bench/bench.py "$@"
