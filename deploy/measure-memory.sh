#!/usr/bin/env bash
# Measures the service's peak memory under load, the figure behind the memory request of
# deploy/kubernetes/deployment.yaml: the release binary with the production settings
# (authentication on, audit trail in sync mode, two workers, 16 connections) over
# MEMORY_CUSTOMERS synthetic customers (default 100000) in a database of its own on the
# PostgreSQL at MEMORY_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres),
# driven by wrk (installed when missing) for MEMORY_SECONDS (30) over MEMORY_CONNECTIONS
# (64). Prints VmRSS at rest and VmHWM (peak resident set) after the load, from
# /proc/<pid>/status. The database is dropped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

customers=${MEMORY_CUSTOMERS:-100000}
seconds=${MEMORY_SECONDS:-30}
connections=${MEMORY_CONNECTIONS:-64}
admin=${MEMORY_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
binary=target/release/customer-api
synthetic=target/release/customer-synthetic
database=customer_api_memory_$$
url="${admin%/*}/$database"

if ! command -v wrk >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
{ [ -x "$binary" ] && [ -x "$synthetic" ]; } || cargo build --release -p customer-server -p customer-synthetic

work=$(mktemp -d)
pid=
cleanup() {
  exec 2>/dev/null  # bash would report the service killed
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

psql -q "$admin" -c "CREATE DATABASE $database" >/dev/null
export DATABASE_URL=$url
"$synthetic" --customers "$customers" >/dev/null 2>&1
key=$("$binary" clients add memory --companies all --rate 1000000/s |
  sed -n 's/^[[:space:]]*\(clk_[^[:space:]]*\)[[:space:]]*$/\1/p')
psql -At "$url" -c "
  SELECT 'companyCode=' || c.code || '&customerId=' || v.customer_id || '&lang=ar'
    FROM customer_versions v JOIN companies c ON c.company_id = v.company_id
   WHERE v.end_date IS NULL ORDER BY hashint8(v.customer_id) LIMIT 1000" >"$work/queries"
cat >"$work/queries.lua" <<'EOF'
local queries = {}
for line in io.lines(os.getenv("QUERIES")) do queries[#queries + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/v1/core/customer?" .. queries[n % #queries + 1])
end
EOF

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
APP_ENV=production APP__SERVER__HOST=127.0.0.1 APP__SERVER__PORT=$port APP__SERVER__ADMIN_PORT=0 APP__SERVER__WORKERS=2 \
  APP__AUDIT__HMAC_KEY=measure APP__LOG__LEVEL=warn "$binary" serve >"$work/service.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
rest=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
QUERIES=$work/queries wrk -t2 -c"$connections" -d"${seconds}s" -s "$work/queries.lua" \
  -H "Authorization: Bearer $key" "http://127.0.0.1:$port" | grep -E 'Requests/sec|Non-2xx|Socket errors' || true
peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
after=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
echo "customers: $customers, load: ${seconds} s over $connections connections"
echo "VmRSS at rest: $((rest / 1024)) MiB; VmHWM (peak) under load: $((peak / 1024)) MiB; VmRSS after: $((after / 1024)) MiB"
