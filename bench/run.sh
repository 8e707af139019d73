#!/usr/bin/env bash
# The load benchmark (bench/bench.py): the release binary in four configurations, each side
# by side with its limit, alternated, written as one table into docs/benchmarks.md (above
# its `<!-- notes -->` marker; the notes below it are kept):
#
#   A  lookup alone (no authentication, audit off), every search shape, against
#      `pgbench -M prepared` running the lookup's two minimal statements (same keys, same
#      concurrency);
#   B  production defaults (API key of a client made by `customer-api clients add`, audit
#      sync), against pgbench running the same statements + the audit-row INSERT in one
#      transaction per lookup; its audit rows are checked against the lookups answered 2xx;
#   C  as B with the audit written in the background, against A;
#   SQLite  A's settings (and B's: "default audit") on a SQLite file of the same synthetic
#      customers, against PostgreSQL A at the same size.
#
# For every run: req/s, p50/p99, errors (also at 64 connections), CPU per request of the
# service, the load generator, PostgreSQL and the machine (/proc), the service's peak RSS;
# the targets (met / not met) under the table.
#
#   bench/run.sh                                  # 10,000 and 1,000,000 customers, 3 runs of 5 s
#   BENCH_SIZES=10000 BENCH_SQLITE_SIZE=10000 BENCH_RUNS=1 BENCH_DURATION=2 bench/run.sh   # a quick look
#   BENCH_BINARY=/path/to/customer-api bench/run.sh  # measure another build (a baseline)
#   BENCH_SECURITY=1 bench/run.sh                 # instead: what each part of authentication and
#                                                 # the audit trail costs (bench/security.py)
#
# Environment (defaults in brackets):
#   BENCH_SIZES ["10000 1000000"]   customers of the PostgreSQL data sets of A, B and C
#   BENCH_RUNS [3]                  runs; figures are medians, ratios also as min-max over runs
#   BENCH_DURATION [5]              seconds per measured run
#   BENCH_WARM_UP [2]               seconds of load per configuration and shape before each run
#   BENCH_CONNECTIONS [8]           connections of wrk and pgbench (the error count also at 64)
#   BENCH_SHAPES [all seven]        search shapes of A, comma-separated (e.g. "customerId,invalid")
#   BENCH_AUDIT_SHAPES ["customerId"]  search shapes of B and C
#   BENCH_SQLITE_SIZE [100000]      customers of the SQLite comparison; BENCH_SQLITE=0 skips it
#   BENCH_SQLITE_DIR [target/bench] where the SQLite files live (reused when complete)
#   BENCH_BINARY [target/release/customer-api], BENCH_SYNTHETIC [target/release/customer-synthetic]
#   BENCH_ADMIN_URL [postgres://postgres@127.0.0.1:5432/postgres]
#
# Needs PostgreSQL at BENCH_ADMIN_URL with the right to create databases (customer_bench_<N>,
# seeded once by customer-synthetic and reused), psql, pgbench and python3. Installs wrk
# when missing.
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
