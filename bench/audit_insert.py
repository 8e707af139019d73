"""What one batch INSERT into the audit trail costs PostgreSQL, by the statement's form:
`python3 bench/audit_insert.py` (needs pgbench and psql; no build of the service).

Makes a scratch database with the audit migration (`customer_bench_audit_insert`), then
for batches of 1, 3 and 8 records runs with pgbench, from one connection with
`synchronous_commit = off` (so that the disk's flush does not hide the CPU), each form
of the insert for BENCH_AUDIT_SECONDS (8) s, the table emptied before each:

- `values`: a multi-row `INSERT ... VALUES (...), (...)`, sent as diesel sends a batch of
  a varying number of rows: a statement not kept prepared (`-M extended`: parsed and
  planned at each execution);
- `unnest`: `INSERT ... SELECT * FROM unnest(array, ...)` with one array per column, kept
  prepared (`-M prepared`), as the adapter sends it now.

Prints statements per second, the time per record, and the CPU the statement's own
PostgreSQL backend and the WAL writer spent per record (read from /proc during the middle
of the run). The records' values are made by the script from a random number (a request
id, a 64-hex-digit digest, a disclosure), as the service's are: different in every row.
"""

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

NAME = "customer_bench_audit_insert"
SECONDS = int(os.environ.get("BENCH_AUDIT_SECONDS", "8"))
SIZES = [1, 3, 8]
MIGRATION = bench.ROOT / "migrations" / "postgres" / "2026-11-29-000003_access_and_audit" / "up.sql"
COLUMNS = ("occurred_at, request_id, client_name, credential, company_code, criteria, customer_id_hmac, "
           "identification_no_hmac, mobile_number_hmac, reference_no_hmac, customers_returned, disclosed")
TYPES = ["timestamp", "text", "text", "text", "text", "text", "text", "text", "text", "text", "int4", "text"]


def record(i):
    """The values of one record, as SQL over the pgbench variable `r` (no colon in any
    literal: pgbench would read it as a variable)."""
    r = f"(:r::int8 + {i})"
    return [
        "localtimestamp",
        f"'0f3c2a9e-7d1b-4c55-9a8e-' || {r}::text",
        "'bench-audit-insert'",
        "'key_ab12cd34ef56'",
        "'jtc'",
        "'mobileNumber'",
        "NULL",
        "NULL",
        f"md5({r}::text) || md5(({r} + 7)::text)",
        "NULL",
        "1",
        f"'[{{\"customerId\"' || chr(58) || ({r} % 10000)::text || ',\"customerVersionId\"' || chr(58) || '3}}]'",
    ]


def scripts(folder, size):
    rows = [record(i) for i in range(size)]
    head = "\\set r random(1, 1000000000)\n"
    values = Path(folder) / f"values_{size}.sql"
    values.write_text(head + f"INSERT INTO audit_disclosures ({COLUMNS}) VALUES "
                      + ", ".join("(" + ", ".join(row) + ")" for row in rows) + ";\n")
    arrays = ", ".join(f"ARRAY[{', '.join(column)}]::{kind}[]" for column, kind in zip(zip(*rows), TYPES))
    unnest = Path(folder) / f"unnest_{size}.sql"
    unnest.write_text(head + f"INSERT INTO audit_disclosures ({COLUMNS}) SELECT * FROM unnest({arrays});\n")
    return {"values": (values, "extended"), "unnest": (unnest, "prepared")}


def run(url, script, mode, size):
    bench.psql(url, "TRUNCATE audit_disclosures")
    env = dict(os.environ, PGOPTIONS="-c synchronous_commit=off")
    command = ["pgbench", "-n", "-M", mode, "-c", "1", "-T", str(SECONDS), "-f", str(script), url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(1.5)
    pids = [row[0] for row in bench.psql(url, f"""
        SELECT pid FROM pg_stat_activity
         WHERE (datname = '{NAME}' AND application_name = 'pgbench') OR backend_type = 'walwriter'""")]
    window = SECONDS - 3
    before = bench.process_cpu_seconds(pids)
    time.sleep(window)
    cpu = bench.process_cpu_seconds(pids) - before
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{err}")
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
    return {"tps": tps, "us_per_record": 1e6 / tps / size, "cpu_per_record": cpu / (tps * window) / size * 1e6}


def main():
    bench.psql(bench.ADMIN_URL, f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
    bench.psql(bench.ADMIN_URL, f'CREATE DATABASE "{NAME}"')
    url = bench.db_url(NAME)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(MIGRATION), url], check=True,
                   stdout=subprocess.DEVNULL)
    load = os.getloadavg()[0]
    print(f"load average {load:.2f} at the start; {SECONDS} s a run, one connection, synchronous_commit off")
    print("| records a batch | form | statements/s | µs per record | PostgreSQL CPU µs per record |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="audit-insert-") as folder:
        for size in SIZES:
            for form, (script, mode) in scripts(folder, size).items():
                result = run(url, script, mode, size)
                print(f"| {size} | {form} | {result['tps']:,.0f} | {result['us_per_record']:.0f} "
                      f"| {result['cpu_per_record']:.0f} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    bench.psql(bench.ADMIN_URL, f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
