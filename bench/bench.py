"""The load benchmark of customer-api (run it through bench/run.sh).

For each data size it prepares (or reuses) a PostgreSQL database of synthetic customers,
captures from PostgreSQL's own log the statements the service sends for each search
shape, then, for each shape, drives the release binary over loopback with wrk and runs
pgbench -M prepared with exactly those statements and the same keys, at the same
concurrency. It prints one table and writes it, with the machine and the commands, to
docs/benchmarks.md. Every figure is the median of BENCH_RUNS runs.
"""

import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "customer-api"
SYNTHETIC = ROOT / "target" / "release" / "customer-synthetic"
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000 1000000").split()]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
DURATION = int(os.environ.get("BENCH_DURATION", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
STRESS_CONNECTIONS = 64
# Seconds of load per shape and size before the measured runs: each connection prepares
# each statement at its first use, which is not the steady state measured.
WARM_UP = int(os.environ.get("BENCH_WARM_UP", "2"))
SEED = 42
# pgbench takes at most 128 scripts; each holds the statements of one key.
KEYS = 128
PG_LOG = Path(os.environ.get("BENCH_PG_LOG", "/var/log/postgresql/postgresql-15-main.log"))
OUTPUT = ROOT / "docs" / "benchmarks.md"

SHAPES = ["customerId", "identificationNo", "mobileNumber", "referenceNo", "all four", "no match", "invalid"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def db_url(name):
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def process_cpu_seconds(pids):
    """User and system CPU of `pids` so far (those still running)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def psql(url, sql):
    result = subprocess.run(
        ["psql", url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True, text=True,
    )
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def prepare_database(size):
    """A database of `size` synthetic customers, reused when already complete."""
    name = f"customer_bench_{size}"
    marker = f"customer-api bench: {size} synthetic customers, seed {SEED}"
    rows = psql(ADMIN_URL, f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{name}'")
    if rows and rows[0][0] == marker:
        log(f"reusing database {name}")
        return db_url(name)
    log(f"preparing database {name} ({size} customers)")
    psql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(ADMIN_URL, f'CREATE DATABASE "{name}"')
    env = service_env(db_url(name))
    started = time.monotonic()
    subprocess.run([SYNTHETIC, "--customers", str(size), "--seed", str(SEED)], check=True, env=env)
    log(f"seeded {size} customers in {time.monotonic() - started:.0f} s")
    psql(db_url(name), "VACUUM ANALYZE")
    psql(ADMIN_URL, f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
    return db_url(name)


def sample_keys(url):
    """KEYS current customers that have a reference, spread deterministically over the data."""
    rows = psql(url, f"""
        SELECT c.code, v.company_id, v.customer_id, v.identification_no, v.mobile_number,
               (SELECT min(r.reference_no) FROM customer_references r
                 WHERE r.company_id = v.company_id AND r.customer_id = v.customer_id),
               (SELECT string_agg(m.customer_id::text, ',' ORDER BY m.customer_id) FROM customer_versions m
                 WHERE m.company_id = v.company_id AND m.mobile_number = v.mobile_number AND m.end_date IS NULL)
          FROM customer_versions v JOIN companies c ON c.company_id = v.company_id
         WHERE v.end_date IS NULL AND v.identification_no IS NOT NULL AND v.mobile_number IS NOT NULL
           AND EXISTS (SELECT 1 FROM customer_references r WHERE r.company_id = v.company_id AND r.customer_id = v.customer_id)
         ORDER BY hashint8(v.customer_id), v.customer_id
         LIMIT {KEYS}""")
    keys = []
    for code, company, customer, idno, mobile, reference, mobile_ids in rows:
        keys.append({
            "code": code, "company": company, "customerId": customer, "identificationNo": idno,
            "mobileNumber": mobile, "referenceNo": reference, "mobile_ids": mobile_ids.split(","),
        })
    if len(keys) < KEYS:
        raise SystemExit(f"only {len(keys)} usable keys in {url}")
    return keys


def query_for(shape, key, index):
    """The query string of a lookup of `shape` for `key`."""
    base = f"companyCode={key['code']}&lang=en"
    if shape == "all four":
        return (f"{base}&customerId={key['customerId']}&identificationNo={key['identificationNo']}"
                f"&mobileNumber={key['mobileNumber']}&referenceNo={key['referenceNo']}")
    if shape == "no match":
        return f"{base}&customerId={9_000_000_000_000 + index}"
    if shape == "invalid":
        return f"{base}&mobileNumber=4{index:08d}&customerId=0"
    return f"{base}&{shape}={key[shape]}"


def returned_ids(shape, key):
    """The customer ids a lookup returns, for the contacts statement."""
    if shape == "mobileNumber":
        return key["mobile_ids"]
    if shape == "no match":
        return []
    return [key["customerId"]]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# What the table above measures: the lookup itself, against pgbench's replay of its
# statements. Authentication and the audit trail (on by default) have a benchmark of
# their own, bench/security.py.
# The anonymous caller of `auth.mode = "disabled"` has the default rate limit.
LOOKUP_ONLY = {"APP__AUTH__MODE": "disabled", "APP__AUTH__DEFAULT_RATE_LIMIT": "1000000/s",
               "APP__AUDIT__MODE": "off"}


def service_env(url, port=None, settings=None):
    """The environment of the binary: `settings` (APP__... variables) over LOOKUP_ONLY."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_") and k not in ("DATABASE_URL", "RUST_LOG")}
    env.update({
        "DATABASE_URL": url,
        "APP__DATABASE__SEED_DEMO_WHEN_EMPTY": "false",
        "APP__LOG__FORMAT": "json",
    })
    env.update(LOOKUP_ONLY)
    env.update(settings or {})
    if port:
        env["APP__SERVER__PORT"] = str(port)
    return env


class Service:
    """The release binary, as production runs it (JSON logs at info, to a file)."""

    def __init__(self, url, settings=None):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="customer-api-bench-", suffix=".log", delete=False)
        self.process = subprocess.Popen([BINARY, "serve"], env=service_env(url, self.port, settings),
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/health/ready", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the service did not start; see {self.log.name}")
            time.sleep(0.1)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def get(self, query):
        try:
            with urllib.request.urlopen(f"{self.base}/v1/core/customer?{query}", timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def cpu_seconds(self):
        """User and system CPU the service has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_kib(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()
        os.unlink(self.log.name)


PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def capture_statements(url, keys):
    """The statements the service sends for each shape, read from PostgreSQL's log."""
    name = url.rsplit("/", 1)[1]
    psql(ADMIN_URL, f'ALTER DATABASE "{name}" SET log_statement = \'all\'')
    try:
        service = Service(url)
        try:
            service.get(query_for("customerId", keys[0], 0))  # loads the reference data
            captured = {}
            for shape in SHAPES:
                offset = PG_LOG.stat().st_size
                status, _ = service.get(query_for(shape, keys[0], 0))
                time.sleep(0.3)
                with PG_LOG.open("rb") as f:
                    f.seek(offset)
                    text = f.read().decode("utf-8", "replace")
                captured[shape] = parse_log(text, name)
                log(f"captured {len(captured[shape])} statement(s) for {shape} (HTTP {status})")
        finally:
            service.stop()
    finally:
        psql(ADMIN_URL, f'ALTER DATABASE "{name}" RESET log_statement')
    return captured


def parse_log(text, database):
    statements = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = re.search(r"@" + re.escape(database) + r" LOG:  execute [^:]*: (.*)$", line)
        if not match:
            continue
        params = {}
        if i + 1 < len(lines) and "DETAIL:  parameters:" in lines[i + 1]:
            for number, value in PARAM.findall(lines[i + 1]):
                params[int(number)] = None if value == "NULL" else value[1:-1].replace("''", "'")
        statements.append((match.group(1), params))
    return statements


def sql_literal(value):
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def pgbench_scripts(shape, statements, keys, folder):
    """One script per key: the captured statements with that key's values in place of the
    captured key's."""
    sample = keys[0]
    files = []
    for index, key in enumerate(keys):
        replacements = {}
        for field in ("customerId", "identificationNo", "mobileNumber", "referenceNo"):
            replacements[str(sample[field])] = str(key[field])
        replacements[str(sample["company"])] = str(key["company"])
        sample_ids = "{" + ",".join(returned_ids(shape, sample)) + "}"
        replacements[sample_ids] = "{" + ",".join(returned_ids(shape, key)) + "}"
        if shape == "no match":
            replacements[str(9_000_000_000_000)] = str(9_000_000_000_000 + index)
        lines = []
        for sql, params in statements:
            def substitute(match):
                value = params.get(int(match.group(1)))
                return sql_literal(replacements.get(value, value) if value is not None else None)
            lines.append(re.sub(r"\$(\d+)", substitute, sql) + ";")
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = Path(folder) / f"{shape.replace(' ', '_')}_{index}.sql"
        path.write_text("\n".join(lines) + "\n")
        files.append(path)
    return files


def run_wrk(service, shape, keys, connections, folder, duration=None, headers=None):
    """`headers` (a dict) are sent with every request."""
    paths = Path(folder) / f"paths_{shape.replace(' ', '_')}.txt"
    paths.write_text("".join(f"/v1/core/customer?{query_for(shape, key, i)}\n" for i, key in enumerate(keys)))
    # Lua's string escapes accept what JSON writes for ASCII text.
    lua_headers = "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in (headers or {}).items()) + "}"
    script = Path(folder) / "lookup.lua"
    script.write_text(f"""
local paths = {{}}
for line in io.lines("{paths}") do paths[#paths + 1] = line end
local headers = {lua_headers}
math.randomseed(os.time())
request = function() return wrk.format("GET", paths[math.random(#paths)], headers) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{{"requests":%d,"seconds":%f,"p50":%d,"p99":%d,"socket_errors":%d,"status_errors":%d}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
""")
    threads = min(2, connections)
    # wrk gives up on an answer after 2 s by default and counts an error, though the
    # service answers (and audits) it: on a shared machine a request can stall that long.
    result = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration or DURATION}s",
                             "--timeout", "10s", "-s", str(script), service.base],
                            check=True, capture_output=True, text=True)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    # A 400 is the right answer to the invalid shape, and only to it.
    unexpected = summary["socket_errors"] + (0 if shape == "invalid" else summary["status_errors"])
    if unexpected:
        log(f"{shape}: {unexpected} errors at {connections} connections; wrk said:\n{result.stdout}")
    return {
        "rps": summary["requests"] / summary["seconds"],
        "p50": summary["p50"] / 1000.0,
        "p99": summary["p99"] / 1000.0,
        "errors": unexpected,
        "requests": summary["requests"],
        # wrk counts a status of 400 and above as a status error.
        "ok": summary["requests"] - summary["status_errors"] - summary["socket_errors"],
    }


def run_pgbench(url, files, folder):
    logs = Path(folder) / "pgbench_logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    command = ["pgbench", "-n", "-M", "prepared", "-c", str(CONNECTIONS), "-j", "2", "-T", str(DURATION),
               "-l", "--log-prefix", str(logs / "log")]
    for path in files:
        command += ["-f", f"{path}@1"]
    result = subprocess.run(command + [url], check=True, capture_output=True, text=True)
    tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", result.stdout).group(1))
    latencies = []
    for path in logs.iterdir():
        for line in path.read_text().splitlines():
            parts = line.split()
            latencies.append(int(parts[2]) / 1000.0)
    latencies.sort()
    failed = int(re.search(r"number of failed transactions: (\d+)", result.stdout).group(1)) \
        if "number of failed transactions" in result.stdout else 0
    return {"rps": tps, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "errors": failed}


def ceiling_of(pgbench_rps, invalid_rps):
    """The service/pgbench ratio of a service whose lookups cost the machine what pgbench
    spends on the statements plus what an invalid request costs (wrk, HTTP, validation,
    the answer and its log line: everything but the database work), all on the same
    cores: 1 / rate = 1 / pgbench + 1 / invalid. No service that answers over HTTP on
    this machine can do better; the measured ratio is read against it."""
    return invalid_rps / (invalid_rps + pgbench_rps)


def percentile(values, p):
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def median_of(runs):
    return {k: statistics.median(run[k] for run in runs) for k in runs[0]}


def machine():
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return f"{model}, {os.cpu_count()} cores, {int(memory) // 1024 // 1024} GiB, {platform.system()} {platform.release()}"


def main():
    results = {}
    with tempfile.TemporaryDirectory(prefix="customer-api-bench-") as folder:
        sets = {}
        for size in SIZES:
            url = prepare_database(size)
            keys = sample_keys(url)
            sets[size] = {"url": url, "keys": keys, "statements": capture_statements(url, keys)}
        # One service per data set, all running; the runs of every size alternate, so that
        # a slower spell of the machine falls on all sizes rather than on one.
        services = {}
        try:
            for size in SIZES:
                services[size] = Service(sets[size]["url"])
            for shape in SHAPES:
                runs = {size: {"service": [], "pgbench": []} for size in SIZES}
                files = {}
                for size in SIZES:
                    data = sets[size]
                    statements = data["statements"][shape]
                    files[size] = pgbench_scripts(shape, statements, data["keys"], Path(folder) / str(size)) \
                        if statements else []
                for size in SIZES:
                    run_wrk(services[size], shape, sets[size]["keys"], CONNECTIONS, folder, WARM_UP)
                for _ in range(RUNS):
                    for size in SIZES:
                        service = services[size]
                        cpu_before = service.cpu_seconds()
                        result = run_wrk(service, shape, sets[size]["keys"], CONNECTIONS, folder)
                        result["cpu_us"] = (service.cpu_seconds() - cpu_before) / (result["rps"] * DURATION) * 1e6
                        runs[size]["service"].append(result)
                        if files[size]:
                            runs[size]["pgbench"].append(run_pgbench(sets[size]["url"], files[size], folder))
                for size in SIZES:
                    stress = run_wrk(services[size], shape, sets[size]["keys"], STRESS_CONNECTIONS, folder)
                    pg_runs = runs[size]["pgbench"]
                    results[(size, shape)] = {
                        "service": median_of(runs[size]["service"]),
                        "pgbench": median_of(pg_runs) if pg_runs else None,
                        "stress_errors": stress["errors"],
                        "statements": len(sets[size]["statements"][shape]),
                    }
                    r = results[(size, shape)]
                    log(f"{size:>9} {shape:<16} service {r['service']['rps']:9.0f}/s"
                        + (f"  pgbench {r['pgbench']['rps']:9.0f}/s" if r["pgbench"] else ""))
            peak_rss = max(service.peak_rss_kib() for service in services.values())
        finally:
            for service in services.values():
                service.stop()
    report(dict(sorted(results.items(), key=lambda item: (item[0][0], SHAPES.index(item[0][1])))), peak_rss)


def report(results, peak_rss):
    header = ("| customers | shape | statements | service req/s | p50 ms | p99 ms | errors (8 / 64 conn.) "
              "| service CPU µs/req | pgbench tx/s | pgbench p50 ms | pgbench p99 ms | service / pgbench | ceiling |")
    rows = [header, "|" + " --- |" * 13]
    for (size, shape), r in results.items():
        s, p = r["service"], r["pgbench"]
        ratio = f"{s['rps'] / p['rps']:.2f}" if p else "n/a"
        invalid = results.get((size, "invalid"))
        ceiling = f"{ceiling_of(p['rps'], invalid['service']['rps']):.2f}" if p and invalid else "n/a"
        rows.append(
            f"| {size:,} | {shape} | {r['statements']} | {s['rps']:,.0f} | {s['p50']:.2f} | {s['p99']:.2f} "
            f"| {s['errors']:.0f} / {r['stress_errors']} | {s['cpu_us']:.0f} | "
            + (f"{p['rps']:,.0f} | {p['p50']:.2f} | {p['p99']:.2f} | {ratio} | {ceiling} |" if p
               else "n/a | n/a | n/a | n/a | n/a |"))
    lines = rows + [""]
    sizes = sorted({size for size, _ in results})
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for shape in SHAPES:
            if (small, shape) in results and (large, shape) in results:
                ratio = results[(large, shape)]["service"]["rps"] / results[(small, shape)]["service"]["rps"]
                lines.append(f"- {shape}: throughput at {large:,} is {ratio:.2f} of the throughput at {small:,}")
    for size in sizes:
        lookups = [results[(size, s)]["service"]["rps"] for s in SHAPES[:4] if (size, s) in results]
        if lookups and (size, "invalid") in results:
            ratio = results[(size, "invalid")]["service"]["rps"] / statistics.median(lookups)
            lines.append(f"- {size:,}: invalid input is answered at {ratio:.1f} times the median lookup rate")
    lines.append(f"- peak resident memory of the service: {peak_rss / 1024:.1f} MiB")
    table = "\n".join(lines)
    print(table)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    OUTPUT.parent.mkdir(exist_ok=True)
    previous = OUTPUT.read_text() if OUTPUT.exists() else ""
    notes = previous.split("<!-- notes -->", 1)[1] if "<!-- notes -->" in previous else "\n"
    OUTPUT.write_text(f"""# Benchmarks

Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()},
commit {commit}, with `bench/run.sh` (BENCH_SIZES="{' '.join(map(str, SIZES))}", BENCH_RUNS={RUNS},
BENCH_DURATION={DURATION} s, {CONNECTIONS} connections; the error count also at {STRESS_CONNECTIONS}).

Each service figure is the median of {RUNS} wrk runs over loopback against the release
binary (JSON logs at info, as in production; authentication and the audit trail off,
their cost is measured apart), with keys drawn at random from {KEYS}
current customers of the data set. Each pgbench figure is the median of {RUNS} runs of
`pgbench -M prepared` at the same concurrency with exactly the statements the service
sent for that shape (captured from PostgreSQL's log) and the same keys, one script per
key. Both share the machine's cores with PostgreSQL. Each shape gets {WARM_UP} s of load
before its measured runs (each connection prepares each statement at its first use).
The runs of the data sizes
alternate (one service per data set), so that a slower spell of the machine does not
fall on one size only. "service CPU" is the service's own
user and system time per request (from `/proc`). "ceiling" is the best service / pgbench
ratio an HTTP service could reach on this machine: one whose lookups cost the cores what
pgbench spends on the statements plus what the invalid shape costs (wrk, HTTP, validation,
the answer and its log line), that is 1 / (1 / pgbench + 1 / invalid) requests/s.

{table}
<!-- notes -->{notes}""")
    log(f"written to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
