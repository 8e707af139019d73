"""Instructions the service executes per request, counted by valgrind's callgrind.

    python3 bench/instructions.py [SHAPE ...]      # default: customerId invalid

Unlike requests per second, the count does not depend on what else the machine is doing:
the same binary, data and requests give the same figure, so a change to the hot path can
be judged on a noisy machine. It counts user-space instructions only (not the kernel's
work for the sockets). Uses the release binary (BENCH_BINARY to count another build) and
the 1,000,000-customer database that bench/run.sh prepares (BENCH_SIZE to choose another;
BENCH_BACKEND=sqlite for a SQLite file of the same customers), one worker, one client connection,
the settings of bench.py's configuration A (BENCH_CONFIG=B or C for its B or C: an API key and
the sync or async audit trail; B and C count the writer's work with the lookups'),
a warm-up of 300 requests, then BENCH_REQUESTS (default 1000) requests whose keys cycle
through the benchmark's 128 keys. Writes the callgrind profile next to a summary line;
`callgrind_annotate --inclusive=yes FILE` shows where the instructions go.
"""

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

SIZE = int(os.environ.get("BENCH_SIZE", "1000000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000"))
# BENCH_BACKEND=sqlite: the service on a SQLite file of the same customers
# (bench.prepare_sqlite), whose own work then counts too: SQLite runs in the process.
BACKEND = os.environ.get("BENCH_BACKEND", "postgres")
CONFIGS = {"A": bench.LOOKUP_ONLY, "B": bench.PRODUCTION, "C": bench.ASYNC_AUDIT}
CONFIG = os.environ.get("BENCH_CONFIG", "A")
WARM_UP = 300


def count(url, keys, shape, folder, api_key=None):
    port = bench.free_port()
    env = bench.service_env(url, port, CONFIGS[CONFIG])
    env["APP__SERVER__WORKERS"] = "1"
    out = Path(folder) / shape.replace(" ", "_")
    out.mkdir()
    process = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out.%p", str(bench.BINARY), "serve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                probe.request("GET", "/health/ready")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the service did not start under valgrind")
            time.sleep(0.5)
        paths = [f"/v1/core/customer?{bench.query_for(shape, key, i)}" for i, key in enumerate(keys)]
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

        def send(n):
            statuses = set()
            for i in range(n):
                client.request("GET", paths[i % len(paths)], headers=headers)
                response = client.getresponse()
                response.read()
                statuses.add(response.status)
            return statuses

        send(WARM_UP)
        subprocess.run(["callgrind_control", "--zero", str(process.pid)], check=True, capture_output=True)
        statuses = send(REQUESTS)
        subprocess.run(["callgrind_control", "--dump", str(process.pid)], check=True, capture_output=True)
    finally:
        process.terminate()
        process.wait(timeout=60)
    dumps = sorted(out.glob("callgrind.out.*.1"))
    if not dumps:
        raise SystemExit(f"no callgrind dump in {out}")
    for line in dumps[0].read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1]) / REQUESTS, statuses, dumps[0]
    raise SystemExit(f"no totals in {dumps[0]}")


def main():
    import security  # noqa: E402  (imports bench)
    shapes = sys.argv[1:] or ["customerId", "invalid"]
    if CONFIG not in CONFIGS:
        raise SystemExit(f"BENCH_CONFIG is one of {', '.join(CONFIGS)}, not {CONFIG}")
    for tool in ("valgrind", "callgrind_control"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is required (Debian: apt-get install valgrind)")
    if not bench.BINARY.exists():
        raise SystemExit("build the release binary first: cargo build --release -p customer-server -p customer-synthetic")
    url = bench.prepare_database(SIZE)
    keys = bench.sample_keys(url)
    if BACKEND == "sqlite":
        # The same customers (same generator and seed), from the embedded default.
        path = bench.prepare_sqlite(SIZE)
        bench.check_sqlite_keys(path, keys)
        url = bench.sqlite_url(path)
    # B and C authenticate: a client of their own, revoked at the end.
    client = f"bench-instructions-{int(time.time())}" if CONFIG != "A" else None
    api_key = security.add_client(url, client) if client else None
    folder = tempfile.mkdtemp(prefix="customer-api-instructions-")
    try:
        for shape in shapes:
            per_request, statuses, dump = count(url, keys, shape, folder, api_key)
            print(f"{shape}: {per_request:,.0f} instructions per request (HTTP {sorted(statuses)}, "
                  f"{REQUESTS} requests, {SIZE:,} customers, {BACKEND}, configuration {CONFIG}); "
                  f"profile: {dump}", flush=True)
    finally:
        if client:
            security.revoke_client(url, client)


if __name__ == "__main__":
    main()
