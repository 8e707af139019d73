"""What authentication and the sync audit trail cost a lookup (run it through
`BENCH_SECURITY=1 bench/run.sh`, or `python3 bench/security.py` after a release build).

Services of the same release binary run side by side on the same data set (the
10,000-customer database of bench/run.sh, prepared when missing), each with a pool of 8
PostgreSQL connections: one as production runs it ("on": every lookup needs an API key,
`audit.mode = "sync"`), one with both switched off ("off": `auth.mode = "disabled"`,
`audit.mode = "off"`), and two that tell the parts of the cost apart: an API key with the
audit off, and with the audit written in the background (`audit.mode = "async"`). For
each shape, wrk drives each in turn at BENCH_CONNECTIONS (8) connections, the order
turning from run to run so that on and off alternate and a slower spell of the machine
falls on all; every figure is the median of BENCH_RUNS runs. The wrk of each service
that authenticates sends `Authorization: Bearer <key>` of a client of its own, made for
the run with `customer-api clients add` (revoked at the end).

Around each run of a service that audits, its client's audit rows are counted with psql
and compared with the lookups answered 2xx, as the service counts them (`/metrics`) and
as wrk does: the script fails unless the rows equal the service's count exactly and
exceed wrk's by no more than the connections (wrk stops with up to one request in flight
per connection: answered and audited, its answer never read). Rows of one INSERT share a
transaction id (`xmin`), so the distinct ids among a run's new rows are its batches
(inserts); their number over the run's length is the inserts per second. (In sync mode
under load the writer is never idle: with one insert under way at a time,
`audit.writers = 1`, 1000 over that is the time one insert takes, commit included.)

Before the runs, pgbench commits one-row INSERTs into the trail from one connection, with
`synchronous_commit` on and off: the difference is what flushing the WAL costs a commit.

Prints one table and writes it into the "Authentication and audit" part of
docs/benchmarks.md (between its markers; the main table and the notes around are kept).
Empties the benchmark database's audit trail first, so that each run starts alike.
"""

import datetime
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

SIZE = int(os.environ.get("BENCH_SIZE", "10000"))
SHAPES = ["customerId", "mobileNumber", "no match"]
# Pools of 8 PostgreSQL connections (4 per worker on 2 cores; the default is 16) for
# each of the four services: enough for wrk's 8 connections (the audit writer has one of
# its own), and all four stay well within PostgreSQL's max_connections.
POOL = {"APP__DATABASE__MAX_CONNECTIONS": "8"}
ON = {**POOL, "APP__AUTH__MODE": "required", "APP__AUDIT__MODE": "sync"}
OFF = {**POOL, **bench.LOOKUP_ONLY}
# To tell the parts of the cost apart: authentication alone, and with the audit records
# written in the background.
AUTH_ONLY = {**ON, "APP__AUDIT__MODE": "off"}
ASYNC = {**ON, "APP__AUDIT__MODE": "async"}
CONFIGS = {"on": ON, "off": OFF, "auth": AUTH_ONLY, "async": ASYNC}
# BENCH_AUDIT_SETTINGS="APP__AUDIT__WRITERS=1 ...": settings added to the services that
# audit, to measure one setting's effect; BENCH_SECURITY_CONFIGS="on off": fewer services.
EXTRA = dict(item.split("=", 1) for item in os.environ.get("BENCH_AUDIT_SETTINGS", "").split())
for _name in ("on", "async"):
    CONFIGS[_name] = {**CONFIGS[_name], **EXTRA}
CONFIGS = {name: CONFIGS[name] for name in os.environ.get("BENCH_SECURITY_CONFIGS", " ".join(CONFIGS)).split()}
AUDITED = tuple(name for name in ("on", "async") if name in CONFIGS)
LABELS = {"off": "off", "auth": "API key, audit off", "async": "API key, audit async", "on": "on (API key, audit sync)"}
# The targets.
RATIO_TARGET = 0.85
P99_TARGET_MS = 5.0
BEGIN = "<!-- security: written by bench/security.py -->"
END = "<!-- security: end -->"
HEADING = "## Authentication and audit"


def log(message):
    bench.log(message)


def add_client(url, name):
    """A client that may search every company, practically without a rate limit, and its
    API key, made by the binary's own command."""
    command = [str(bench.BINARY), "clients", "add", name, "--companies", "all", "--rate", "1000000/s"]
    result = subprocess.run(command, env=bench.service_env(url), capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"`customer-api clients add` failed ({result.returncode}); it is needed to make "
                         f"the benchmark's API key:\n{result.stderr}{result.stdout}")
    # The key is printed once, alone on an indented line.
    match = re.search(r"^\s+(clk_\S+)\s*$", result.stdout, re.MULTILINE)
    if not match:
        raise SystemExit(f"no API key in the answer of `customer-api clients add`:\n{result.stdout}")
    return match.group(1)


def revoke_client(url, name):
    result = subprocess.run([str(bench.BINARY), "clients", "revoke", name], env=bench.service_env(url),
                            capture_output=True, text=True)
    if result.returncode != 0:
        log(f"the client {name} could not be revoked: {result.stderr.strip()}")


def metrics(service):
    """The service's gauges and counters of interest, from /metrics."""
    with urllib.request.urlopen(f"{service.base}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    values = {"answered": 0}
    for state in ("queued", "written", "pending", "failed_batches"):
        match = re.search(r'^audit_records\{state="' + state + r'"\} (\d+)', text, re.MULTILINE)
        values[state] = int(match.group(1)) if match else 0
    for labels, value in re.findall(r'^http_requests_total\{(.*)\} (\d+)', text, re.MULTILINE):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        if labels.get("route") == "/v1/core/customer" and labels.get("status", "").startswith("2"):
            values["answered"] += int(value)
    return values


def wait_for_audit_writer(service):
    """Waits until the writer has nothing pending: the records of lookups still in flight
    when wrk stopped may be committed just after."""
    deadline = time.monotonic() + 10
    while metrics(service)["pending"] and time.monotonic() < deadline:
        time.sleep(0.05)
    # Their answers are counted once the handlers resume, a moment after the commit.
    time.sleep(0.2)


def audit_mark(url, client):
    """The rows of `client`, and the last id of the trail."""
    rows = bench.psql(url, f"""
        SELECT (SELECT count(*) FROM audit_disclosures WHERE client_name = '{client}'),
               coalesce(max(id), 0) FROM audit_disclosures""")
    return int(rows[0][0]), int(rows[0][1])


def audit_since(url, client, mark):
    """The rows of `client` added since `audit_mark` gave `mark`, and the INSERTs that
    added them (one transaction each)."""
    count_before, last_id = mark
    rows = bench.psql(url, f"""
        SELECT (SELECT count(*) FROM audit_disclosures WHERE client_name = '{client}') - {count_before},
               count(*), count(DISTINCT xmin::text)
          FROM audit_disclosures WHERE id > {last_id} AND client_name = '{client}'""")
    added, new, batches = (int(v) for v in rows[0])
    if added != new:
        raise SystemExit(f"audit rows: the count grew by {added}, but {new} rows are new")
    return added, batches


def backend_pids(url):
    rows = bench.psql(url, """
        SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()""")
    return [int(row[0]) for row in rows]


def commit_probe(url, folder):
    """Milliseconds a one-row INSERT into the trail takes to commit, from one connection,
    with synchronous_commit on and off. Its rows are removed afterwards."""
    script = Path(folder) / "audit_insert.sql"
    script.write_text(
        "INSERT INTO audit_disclosures (occurred_at, request_id, client_name, credential, company_code,"
        " criteria, customers_returned, disclosed)"
        " VALUES (localtimestamp, 'probe', 'bench-commit-probe', '-', 'jtc', 'customerId', 0, '[]');\n")
    latencies = []
    for synchronous in ("on", "off"):
        env = dict(os.environ, PGOPTIONS=f"-c synchronous_commit={synchronous}")
        result = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", "1", "-T", "3", "-f", str(script), url],
                                check=True, capture_output=True, text=True, env=env)
        tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", result.stdout).group(1))
        latencies.append(1000 / tps)
    bench.psql(url, "DELETE FROM audit_disclosures WHERE client_name = 'bench-commit-probe'")
    log(f"a one-row insert into the trail commits in {latencies[0]:.2f} ms, "
        f"{latencies[1]:.2f} ms with synchronous_commit off")
    return latencies


def measure(name, services, url, shape, keys, folder, callers):
    """One wrk run of `shape` against the service of configuration `name`, with the CPU it
    cost and, when it audits, the audit rows it added. `callers`: client name and API key
    of each configuration that authenticates."""
    service = services[name]
    audited = name in AUDITED
    # What the other services still have to write (async mode) is no part of this run.
    for other in AUDITED:
        wait_for_audit_writer(services[other])
    if audited:
        mark = audit_mark(url, callers[name][0])
        written_before = metrics(service)
    pids = backend_pids(url)
    pg_before, service_before = bench.process_cpu_seconds(pids), service.cpu_seconds()
    headers = {"Authorization": f"Bearer {callers[name][1]}"} if name in callers else None
    result = bench.run_wrk(service, shape, keys, bench.CONNECTIONS, folder, headers=headers)
    requests = max(result["requests"], 1)
    result["service_cpu_us"] = (service.cpu_seconds() - service_before) / requests * 1e6
    result["pg_cpu_us"] = (bench.process_cpu_seconds(pids) - pg_before) / requests * 1e6
    if audited:
        wait_for_audit_writer(service)
        rows, batches = audit_since(url, callers[name][0], mark)
        written = metrics(service)
        result["rows"], result["batches"] = rows, batches
        result["inserts_per_s"] = batches / (result["requests"] / result["rps"])
        result["failed_batches"] = written["failed_batches"] - written_before["failed_batches"]
        result["answered"] = written["answered"] - written_before["answered"]
        log(f"  {name:<5} {shape:<13} {result['rps']:8.0f}/s p99 {result['p99']:6.2f} ms  2xx {result['ok']}  "
            f"service 2xx {result['answered']}  "
            f"audit rows {rows} in {batches} inserts ({rows / max(batches, 1):.1f} per insert)")
        # wrk stops with a request in flight on each connection at most; those were
        # audited (and answered) but wrk never read the answer.
        unread = rows - result["ok"]
        if rows != result["answered"] or not 0 <= unread <= bench.CONNECTIONS or result["failed_batches"]:
            raise SystemExit(f"{shape}: {rows} audit rows for {result['answered']} lookups answered 2xx "
                             f"(wrk read {result['ok']} of them; {result['failed_batches']} failed inserts)")
    else:
        log(f"  {name:<5} {shape:<13} {result['rps']:8.0f}/s p99 {result['p99']:6.2f} ms  2xx {result['ok']}")
    if result["errors"]:
        raise SystemExit(f"{shape}: {result['errors']} errors against the {name} service")
    return result


def main():
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    if load_before > 1.5:
        log(f"load average {load_before:.2f}: the machine is busy, the figures will be noisy")
    url = bench.prepare_database(SIZE)
    keys = bench.sample_keys(url)
    runs = {(shape, name): [] for shape in SHAPES for name in CONFIGS}
    services = {}
    callers = {}
    with tempfile.TemporaryDirectory(prefix="customer-api-security-") as folder:
        try:
            # The off service first: it applies the migrations the client and the trail need.
            services["off"] = bench.Service(url, OFF)
            probe = commit_probe(url, folder)
            bench.psql(url, "TRUNCATE audit_disclosures")
            # A client for each service that authenticates, so that each one's rows can
            # be told apart.
            for name, settings in CONFIGS.items():
                if name != "off":
                    client = f"bench-security-{name}-{int(time.time())}"
                    callers[name] = (client, add_client(url, client))
                    services[name] = bench.Service(url, settings)
            for shape in SHAPES:
                for name, service in services.items():
                    headers = {"Authorization": f"Bearer {callers[name][1]}"} if name in callers else None
                    bench.run_wrk(service, shape, keys, bench.CONNECTIONS, folder, bench.WARM_UP, headers)
                for run in range(bench.RUNS):
                    # Each run starts with the next configuration; on and off alternate.
                    names = list(CONFIGS)
                    order = names[run % len(names):] + names[:run % len(names)]
                    for name in order:
                        runs[(shape, name)].append(measure(name, services, url, shape, keys, folder, callers))
        finally:
            for service in services.values():
                service.stop()
            for client, _ in callers.values():
                revoke_client(url, client)
    load_after = os.getloadavg()[0]
    block = report(runs, probe, load_before, load_after, time.monotonic() - started)
    print(block)
    write_section(block)


def report(runs, probe, load_before, load_after, seconds):
    rows = ["| shape | on req/s | off req/s | on / off (each pair) | on p50 ms | on p99 ms | off p50 ms "
            "| off p99 ms | audit rows / 2xx by the service / by wrk | rows per insert | inserts/s "
            "| service CPU µs/req on / off | PostgreSQL CPU µs/req on / off |",
            "|" + " --- |" * 13]
    summary = {}
    for shape in SHAPES:
        on_runs, off_runs = runs[(shape, "on")], runs[(shape, "off")]
        on, off = bench.median_of(on_runs), bench.median_of(off_runs)
        pairs = [a["rps"] / b["rps"] for a, b in zip(on_runs, off_runs)]
        rows_total = sum(r["rows"] for r in on_runs)
        ok_total = sum(r["ok"] for r in on_runs)
        answered_total = sum(r["answered"] for r in on_runs)
        batches_total = sum(r["batches"] for r in on_runs)
        ratio = on["rps"] / off["rps"]
        summary[shape] = (ratio, on["p99"], rows_total - ok_total)
        rows.append(
            f"| {shape} | {on['rps']:,.0f} | {off['rps']:,.0f} | {ratio:.2f} ({min(pairs):.2f}-{max(pairs):.2f}) "
            f"| {on['p50']:.2f} | {on['p99']:.2f} | {off['p50']:.2f} | {off['p99']:.2f} "
            f"| {rows_total:,} / {answered_total:,} / {ok_total:,} | {rows_total / max(batches_total, 1):.1f} "
            f"| {on['inserts_per_s']:,.0f} "
            f"| {on['service_cpu_us']:.0f} / {off['service_cpu_us']:.0f} | {on['pg_cpu_us']:.0f} / {off['pg_cpu_us']:.0f} |")
    split = ["| shape | configuration | req/s | / off | p50 ms | p99 ms | rows per insert | inserts/s "
             "| service CPU µs/req | PostgreSQL CPU µs/req |",
             "|" + " --- |" * 10]
    for shape in SHAPES:
        off_rps = bench.median_of(runs[(shape, "off")])["rps"]
        for name in (n for n in ("off", "auth", "async", "on") if n in CONFIGS):
            r = bench.median_of(runs[(shape, name)])
            audit = (f"{sum(x['rows'] for x in runs[(shape, name)]) / max(sum(x['batches'] for x in runs[(shape, name)]), 1):.1f} "
                     f"| {r['inserts_per_s']:,.0f}") if "rows" in r else "n/a | n/a"
            split.append(f"| {shape} | {LABELS[name]} | {r['rps']:,.0f} | {r['rps'] / off_rps:.2f} | {r['p50']:.2f} "
                         f"| {r['p99']:.2f} | {audit} | {r['service_cpu_us']:.0f} | {r['pg_cpu_us']:.0f} |")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=bench.ROOT,
                            capture_output=True, text=True).stdout.strip()
    ratios = [r for r, _, _ in summary.values()]
    p99s = [p for _, p, _ in summary.values()]
    lines = [
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {bench.machine()}, "
        f"commit {commit}, with `BENCH_SECURITY=1 bench/run.sh` ({SIZE:,} customers, BENCH_RUNS={bench.RUNS}, "
        f"BENCH_DURATION={bench.DURATION} s, {bench.CONNECTIONS} connections, {bench.WARM_UP} s of warm-up "
        f"per shape and service, pools of {POOL['APP__DATABASE__MAX_CONNECTIONS']} PostgreSQL connections; "
        f"{'audit settings ' + ' '.join(f'{k}={v}' for k, v in EXTRA.items()) + '; ' if EXTRA else ''}"
        f"{seconds / 60:.0f} min; load average {load_before:.2f} at the start, "
        f"{load_after:.2f} at the end, the benchmark's own load included).",
        "",
        *rows,
        "",
        f"- on / off >= {RATIO_TARGET} at {bench.CONNECTIONS} connections: {min(ratios):.2f}-{max(ratios):.2f} "
        f"({'met' if min(ratios) >= RATIO_TARGET else 'not met'})",
        f"- p99 <= {P99_TARGET_MS:g} ms at {bench.CONNECTIONS} connections with both on: "
        f"{min(p99s):.2f}-{max(p99s):.2f} ms ({'met' if max(p99s) <= P99_TARGET_MS else 'not met'})",
        "- audit rows = lookups answered 2xx in every on run (and every async one below), as the service "
        "counts them; wrk read "
        f"{min(u for _, _, u in summary.values()):,}-{max(u for _, _, u in summary.values()):,} fewer answers "
        f"per shape over its {bench.RUNS} runs (requests in flight when it stopped)",
        f"- a one-row INSERT into the trail commits in {probe[0]:.2f} ms ({probe[1]:.2f} ms with "
        "synchronous_commit off; pgbench, one connection)",
        "",
        "The parts of the cost: the same runs with an API key and the audit off, and with the",
        "records written in the background (`audit.mode = \"async\"`).",
        "",
        *split,
    ]
    return "\n".join(lines)


def write_section(block):
    text = bench.OUTPUT.read_text()
    if "<!-- notes -->" not in text:
        raise SystemExit(f"{bench.OUTPUT} has no notes marker; run bench/run.sh first")
    generated = f"{BEGIN}\n{block}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + generated + tail
    else:
        text = text.rstrip("\n") + f"\n\n{HEADING}\n\n{generated}\n"
    bench.OUTPUT.write_text(text)
    log(f"written to {bench.OUTPUT.relative_to(bench.ROOT)}")


if __name__ == "__main__":
    main()
