"""Whether the time of a refused API key tells that its key id exists.

An attacker who can tell a known key id from an unknown one by the time of the 401 has
half of a key. This script starts the service on a database of its own (migrated, with
one client and its key), with the failed-authentication limit out of the way, and sends
over loopback, on one keep-alive connection, lookups whose key has a random secret and:

  known      the id of the existing key
  known'     the same again: the difference between the two is the noise
  unknown    one id that no key has (the same one each time)
  fresh      a new random id each time (never asked before)

The cases take turns, BATCH requests each, ROUNDS times, so that a slower spell of the
machine falls on all of them; each figure is the median of every request's time in µs,
as the client sees it (Python's own overhead included: it is the same for all cases).

The service must answer `known` and `unknown` in the same time: both come from its key
cache (the unknown id is remembered as unknown, and its secret compared against a dummy
hash). `fresh` reads the registry every time, as a known id does at its first use within
`auth.key_cache_ttl_secs`: it tells only that the id was not asked in the last TTL.

    python3 bench/key_timing.py                      # target/release/customer-api
    KEY_TIMING_BINARY=target/debug/customer-api python3 bench/key_timing.py

Settings: KEY_TIMING_ROUNDS (20), KEY_TIMING_BATCH (200), BENCH_ADMIN_URL (PostgreSQL,
postgres://postgres@127.0.0.1:5432/postgres). Exits 1 when |known - unknown| exceeds
twice the noise |known - known'| plus 10 µs.
"""

import base64
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

ROUNDS = int(os.environ.get("KEY_TIMING_ROUNDS", "20"))
BATCH = int(os.environ.get("KEY_TIMING_BATCH", "200"))
if "KEY_TIMING_BINARY" in os.environ:
    bench.BINARY = Path(os.environ["KEY_TIMING_BINARY"]).resolve()
DATABASE = "customer_key_timing"
QUERY = "/v1/core/customer?companyCode=jtc&customerId=1&lang=en"
# Every request here fails authentication: the per-address limit would answer 429 before
# the key is looked at, which is not what is measured.
SETTINGS = {
    "APP__AUTH__MODE": "required",
    "APP__AUTH__FAILED_AUTH_RATE_LIMIT": "1000000/s",
    "APP__AUDIT__MODE": "off",
    "APP__DATABASE__MIGRATE_ON_START": "true",
    "APP__SERVER__WORKERS": "1",
    "APP__LOG__LEVEL": "warn",
}


def secret():
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def fresh_database():
    bench.psql(bench.ADMIN_URL, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    bench.psql(bench.ADMIN_URL, f"CREATE DATABASE {DATABASE}")
    return bench.db_url(DATABASE)


def existing_key_id(url):
    """Migrates the database (the service's own command) and adds a client: its key id."""
    env = bench.service_env(url, settings=SETTINGS)
    subprocess.run([str(bench.BINARY), "migrate"], env=env, check=True, capture_output=True)
    added = subprocess.run([str(bench.BINARY), "clients", "add", "timing", "--companies", "all"],
                           env=env, check=True, capture_output=True, text=True)
    for word in added.stdout.split():
        if word.startswith("clk_"):
            return word.split("_")[1]
    raise SystemExit(f"no key in the answer of `clients add`:\n{added.stdout}")


def timed(connection, key_id):
    """The time of one refused lookup with `key_id` and a random secret, in µs."""
    headers = {"Authorization": f"Bearer clk_{key_id}_{secret()}"}
    started = time.perf_counter_ns()
    connection.request("GET", QUERY, headers=headers)
    answer = connection.getresponse()
    answer.read()
    elapsed = time.perf_counter_ns() - started
    if answer.status != 401:
        raise SystemExit(f"expected 401, got {answer.status}")
    return elapsed / 1000


def main():
    url = fresh_database()
    known = existing_key_id(url)
    unknown = "0" * 12 if known != "0" * 12 else "1" * 12
    service = bench.Service(url, SETTINGS)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
        cases = {
            "known": lambda: known,
            "known'": lambda: known,
            "unknown": lambda: unknown,
            "fresh": lambda: secrets.token_hex(6),
        }
        # Warm up: connections of the pool opened, both ids cached.
        for _ in range(BATCH):
            for key_id in cases.values():
                timed(connection, key_id())
        times = {name: [] for name in cases}
        for round_ in range(ROUNDS):
            order = list(cases.items())
            # Each case first in turn.
            order = order[round_ % len(order):] + order[:round_ % len(order)]
            for name, key_id in order:
                times[name].extend(timed(connection, key_id()) for _ in range(BATCH))
        connection.close()
    finally:
        service.stop()
        bench.psql(bench.ADMIN_URL, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"binary: {bench.BINARY}; {ROUNDS} rounds of {BATCH} requests per case, one connection")
    print("| case | median (µs) | p90 (µs) |")
    print("| --- | --- | --- |")
    for name, values in times.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"| {name} | {medians[name]:.1f} | {p90:.1f} |")
    noise = abs(medians["known"] - medians["known'"])
    gap = abs(medians["known"] - medians["unknown"])
    print(f"known - unknown: {gap:.1f} µs; noise (known - known'): {noise:.1f} µs; "
          f"fresh - known: {medians['fresh'] - medians['known']:.1f} µs")
    if gap > 2 * noise + 10:
        print("a known id and an unknown one are told apart by their time", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
