#!/usr/bin/env bash
# Runs the service as a cluster on this machine and stops instances under load:
# a private PostgreSQL 15 primary and a streaming replica, three instances of customer-api
# and HAProxy (deploy/haproxy.cfg) in front. deploy/load.py drives lookups through HAProxy,
# SIGTERMs instance 1 at a third of the run and SIGKILLs instance 2 at two thirds, prints
# requests answered, errors and p99 per phase, and fails (exit 1) unless the SIGTERM cost
# no request and the SIGKILL no more than the requests in flight.
#
# Needs root (PostgreSQL runs as the postgres user; HAProxy is installed when missing).
#   deploy/try-cluster.sh                                   release build, 30 s of load
#   CLUSTER_PROFILE=debug CLUSTER_DURATION=15 deploy/try-cluster.sh   quicker (CI)
# Settings: CLUSTER_PROFILE (release|debug), CLUSTER_DURATION (seconds, default 30),
# CLUSTER_CONNECTIONS (default 16), CLUSTER_CUSTOMERS (synthetic customers, default 10000).
# Everything lives in a temporary folder, removed at exit, failure included.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${CLUSTER_PROFILE:-release}
duration=${CLUSTER_DURATION:-30}
connections=${CLUSTER_CONNECTIONS:-16}
customers=${CLUSTER_CUSTOMERS:-10000}
pg_bin=/usr/lib/postgresql/15/bin
binary=target/$profile/customer-api
synthetic=target/$profile/customer-synthetic

started=$SECONDS
say() { printf '==> [%3d s] %s\n' "$((SECONDS - started))" "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
  echo "try-cluster.sh runs as root (PostgreSQL is started as the postgres user)" >&2
  exit 2
fi
if ! command -v haproxy >/dev/null 2>&1; then
  say "installing haproxy"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq haproxy >/dev/null
fi
if [ ! -x "$binary" ] || [ ! -x "$synthetic" ]; then
  say "building the $profile binary"
  if [ "$profile" = release ]; then release=--release; else release=; fi
  cargo build $release -p customer-server -p customer-synthetic
fi
binary=$(realpath "$binary")
synthetic=$(realpath "$synthetic")

work=$(mktemp -d /tmp/try-cluster.XXXXXX)
chown postgres "$work"
pids=()
cleanup() {
  local status=$?
  if [ "$status" != 0 ]; then
    for log in "$work"/*.log; do
      [ -f "$log" ] && { echo "--- last lines of $(basename "$log")" >&2; tail -n 20 "$log" >&2; }
    done
  fi
  # Quiet from here: bash would report each process killed.
  exec 2>/dev/null
  for pid in $(cat "$work"/app-*.pid) "${pids[@]}"; do
    kill -KILL "$pid" || true
    wait "$pid" || true
  done
  for data in replica primary; do
    if [ -f "$work/$data/postmaster.pid" ]; then
      runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/$data" -m immediate stop >/dev/null || true
    fi
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# Ports free a moment ago: PostgreSQL x2, three instances, HAProxy and its stats page.
read -r pg_primary pg_replica app1 app2 app3 lb stats < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(7)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

pg() { runuser -u postgres -- "$@"; }
start_pg() { # folder port
  pg "$pg_bin/pg_ctl" -D "$work/$1" -l "$work/postgres-$1.log" -w -t 60 \
    -o "-p $2 -k $work -c listen_addresses=127.0.0.1" start >/dev/null
}

say "PostgreSQL primary on port $pg_primary"
pg "$pg_bin/initdb" -D "$work/primary" -U postgres -A trust --no-sync >/dev/null
start_pg primary "$pg_primary"
primary_url="postgres://postgres@127.0.0.1:$pg_primary/postgres"

say "seeding $customers synthetic customers"
DATABASE_URL=$primary_url "$synthetic" --customers "$customers" >"$work/seed.log" 2>&1
key=$(DATABASE_URL=$primary_url "$binary" clients add load --companies all --rate 1000000/s |
  sed -n 's/^[[:space:]]*\(clk_[^[:space:]]*\)[[:space:]]*$/\1/p')
[ -n "$key" ] || { echo "no API key from clients add" >&2; exit 1; }
psql -h 127.0.0.1 -p "$pg_primary" -U postgres -At -c "
  SELECT 'companyCode=' || c.code || '&customerId=' || v.customer_id || '&lang=en'
    FROM customer_versions v JOIN companies c ON c.company_id = v.company_id
   WHERE v.end_date IS NULL ORDER BY hashint8(v.customer_id) LIMIT 500" postgres >"$work/queries"

say "PostgreSQL replica on port $pg_replica (streaming from the primary)"
pg "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$pg_primary" -U postgres -D "$work/replica" -R -X stream -c fast
start_pg replica "$pg_replica"
replica_url="postgres://postgres@127.0.0.1:$pg_replica/postgres"

say "three instances on ports $app1 $app2 $app3"
for port in "$app1" "$app2" "$app3"; do
  # A subshell per instance keeps its exit status; its pid file names the process for
  # the signals, and its own notice of a killed child goes to the instance's log.
  (
    unset DATABASE_URL RUST_LOG
    export APP__SERVER__PORT="$port" \
      APP__SERVER__WORKERS=1 \
      APP__SERVER__DRAIN_DELAY_MS=5000 \
      APP__DATABASE__URL="$primary_url" \
      APP__DATABASE__REPLICA_URLS="$replica_url" \
      APP__DATABASE__SEED_DEMO_WHEN_EMPTY=false \
      APP__AUTH__TRUSTED_PROXIES=127.0.0.1 \
      APP__LOG__LEVEL=warn
    "$binary" serve >"$work/app-$port.log" 2>&1 &
    echo "$!" >"$work/app-$port.pid"
    status=0
    wait "$!" || status=$?
    echo "$status" >"$work/app-$port.status"
  ) 2>>"$work/app-$port.err" &
  pids+=("$!")
done
for port in "$app1" "$app2" "$app3"; do
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "instance on $port not ready" >&2; exit 1; }
done

say "HAProxy on port $lb (stats: http://127.0.0.1:$stats/stats)"
HAPROXY_BIND=127.0.0.1:$lb HAPROXY_STATS=127.0.0.1:$stats \
  APP1=127.0.0.1:$app1 APP2=127.0.0.1:$app2 APP3=127.0.0.1:$app3 \
  haproxy -db -f deploy/haproxy.cfg >"$work/haproxy.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$lb/health/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
# Every instance has passed its checks once.
sleep 3

say "load: $duration s over $connections connections"
python3 deploy/load.py --port "$lb" --key "$key" --queries "$work/queries" \
  --connections "$connections" --duration "$duration" \
  --sigterm "$(cat "$work/app-$app1.pid")" --sigkill "$(cat "$work/app-$app2.pid")"
for _ in $(seq 1 100); do
  [ -f "$work/app-$app1.status" ] && break
  sleep 0.2
done
status=$(cat "$work/app-$app1.status" 2>/dev/null || echo "none")
[ "$status" = 0 ] || { echo "the SIGTERM'd instance exited with status $status" >&2; exit 1; }
say "the SIGTERM'd instance exited 0"
# Where the surviving instance read its lookups: the replica, unless it was out of rotation.
served=$(curl -fsS "http://127.0.0.1:$app3/metrics" | grep '^db_lookups_total' || true)
say "lookups read by the surviving instance: $(echo "$served" | tr '\n' ' ')"
replica_reads=$(echo "$served" | awk '/target="replica-1"/ { print int($2) }')
[ "${replica_reads:-0}" -gt 0 ] || { echo "the replica served no lookup" >&2; exit 1; }
