"""Import and export rates, beside the synthetic loader's, at the same size.

    cargo build --release -p customer-server -p customer-synthetic
    python3 bench/import_rates.py                     # 1,000,000 customers, 1 run
    BENCH_SIZE=100000 BENCH_RUNS=3 python3 bench/import_rates.py
    BENCH_SQLITE=1 python3 bench/import_rates.py       # SQLite too
    BENCH_BATCHED=1 python3 bench/import_rates.py      # and batch by batch into PostgreSQL

Each run, on PostgreSQL at BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432):
1. `customer-synthetic --customers N` into an empty database: the reference time;
2. `customer-api export` of every company of it into one JSON Lines file (time, peak memory);
3. `customer-api import` of that file into another empty database holding the same
   companies (time, peak memory): an initial load; every line must be applied;
4. the same import again: every line unchanged;
5. an export of the imported database: every line of step 2's but those that repeat
   the version before them (the synthetic data has a few), which the import keeps as
   one version.
With BENCH_SQLITE, steps 3 to 5 run on a SQLite file as well; with BENCH_BATCHED, step 3
runs once more into PostgreSQL with --no-initial-load (a transaction per batch).
Prints medians over BENCH_RUNS runs and the ratio of the import to the seed.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "target" / "release" / "customer-api"
SYNTHETIC = ROOT / "target" / "release" / "customer-synthetic"
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SIZE = int(os.environ.get("BENCH_SIZE", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "1"))
SQLITE = bool(os.environ.get("BENCH_SQLITE"))
BATCHED = bool(os.environ.get("BENCH_BATCHED"))


def log(message):
    print(message, file=sys.stderr, flush=True)


def db_url(name):
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def psql(url, sql):
    result = subprocess.run(
        ["psql", url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True, text=True,
    )
    return result.stdout.split()


def fresh_database(name):
    psql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(ADMIN_URL, f'CREATE DATABASE "{name}"')
    return db_url(name)


def run(command, url, stdin=None, stdout=None):
    """Runs `command` against `url`: (seconds, peak resident memory in MiB)."""
    env = dict(os.environ, APP__DATABASE__URL=url, DATABASE_URL=url, APP__LOG__LEVEL="warn")
    started = time.monotonic()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *map(str, command)],
        env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, text=True,
    )
    elapsed = time.monotonic() - started
    last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "0"
    if result.returncode != 0:
        log(result.stderr[-2000:])
        raise SystemExit(f"{command[0]} {command[1]} failed ({result.returncode})")
    return elapsed, int(last) / 1024


def companies(url):
    env = dict(os.environ, APP__DATABASE__URL=url)
    out = subprocess.run([API, "companies", "list", "--json"], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def add_companies(url, listed):
    env = dict(os.environ, APP__DATABASE__URL=url)
    subprocess.run([API, "migrate"], env=env, check=True, capture_output=True)
    for company in listed:
        subprocess.run([API, "companies", "add", company["code"], "--name-ar", company["nameAr"],
                        "--name-en", company["nameEn"]], env=env, check=True, capture_output=True)


def export_all(url, codes, path):
    seconds, memory = 0.0, 0.0
    with open(path, "w") as out:
        for code in codes:
            s, m = run([API, "export", "--company", code], url, stdout=out)
            seconds, memory = seconds + s, max(memory, m)
    return seconds, memory


def import_file(url, path, *args):
    with open(path) as source, tempfile.TemporaryFile("w+") as report:
        seconds, memory = run([API, "import", "-", *args], url, stdin=source, stdout=report)
        report.seek(0)
        summary = report.read().strip().splitlines()[-1]
    counts = dict((k, int(v)) for v, k in ((m.group(2), m.group(1)) for m in re.finditer(r"(\w+) (\d+)", summary)))
    return seconds, memory, counts


def one_run(index, work):
    log(f"run {index + 1}/{RUNS}: {SIZE} customers")
    source = fresh_database(f"customer_bench_import_src_{SIZE}")
    seed, _ = run([SYNTHETIC, "--customers", SIZE], source)
    log(f"  seed synthetic: {seed:.1f} s")
    listed = companies(source)
    codes = [company["code"] for company in listed]
    exported = work / "source.jsonl"
    export_s, export_mib = export_all(source, codes, exported)
    lines = sum(1 for _ in open(exported))
    log(f"  export: {export_s:.1f} s, {lines} lines, peak {export_mib:.0f} MiB")
    targets = [("postgres", fresh_database(f"customer_bench_import_dst_{SIZE}"))]
    if SQLITE:
        sqlite = work / "imported.db"
        sqlite.unlink(missing_ok=True)
        targets.append(("sqlite", f"sqlite://{sqlite}"))
    figures = {"seed": seed, "export": export_s, "export_mib": export_mib, "lines": lines}
    for backend, url in targets:
        add_companies(url, listed)
        import_s, import_mib, counts = import_file(url, exported)
        log(f"  {backend} import: {import_s:.1f} s, peak {import_mib:.0f} MiB, {counts}")
        if counts.get("rejected", 0) != 0 or counts.get("read") != lines:
            raise SystemExit(f"{backend}: not every line was applied: {counts}")
        # The synthetic data holds a few consecutive versions with the same fields: a
        # document that repeats the version before it is unchanged, so the import keeps
        # one version where the source has two.
        figures[f"{backend}_merged"] = counts.get("unchanged", 0)
        again_s, _, again = import_file(url, exported)
        log(f"  {backend} import again: {again_s:.1f} s, {again}")
        if again.get("unchanged") != lines:
            raise SystemExit(f"{backend}: importing again changed something: {again}")
        round_trip = work / f"{backend}.jsonl"
        export_all(url, codes, round_trip)
        exported_again = sum(1 for _ in open(round_trip))
        if exported_again != lines - counts.get("unchanged", 0):
            raise SystemExit(f"{backend}: {exported_again} lines exported back, not {lines} less the repeats")
        figures[f"{backend}_import"] = import_s
        figures[f"{backend}_import_mib"] = import_mib
        figures[f"{backend}_again"] = again_s
    if BATCHED:
        url = fresh_database(f"customer_bench_import_batched_{SIZE}")
        add_companies(url, listed)
        batched_s, _, counts = import_file(url, exported, "--no-initial-load")
        log(f"  postgres import, batch by batch: {batched_s:.1f} s, {counts}")
        figures["batched"] = batched_s
    return figures


def main():
    if not API.exists() or not SYNTHETIC.exists():
        raise SystemExit("build first: cargo build --release -p customer-server -p customer-synthetic")
    with tempfile.TemporaryDirectory(prefix="import-bench-") as work:
        runs = [one_run(i, Path(work)) for i in range(RUNS)]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(f"{SIZE} customers, {int(median['lines'])} lines, median of {RUNS} run(s):")
    print(f"  seed synthetic        {median['seed']:8.1f} s  {SIZE / median['seed']:10.0f} customers/s")
    print(f"  export (PostgreSQL)   {median['export']:8.1f} s  {median['lines'] / median['export']:10.0f} lines/s   peak {median['export_mib']:.0f} MiB")
    for backend in ["postgres", "sqlite"]:
        if f"{backend}_import" not in median:
            continue
        imp, again = median[f"{backend}_import"], median[f"{backend}_again"]
        print(f"  import ({backend:8})    {imp:8.1f} s  {median['lines'] / imp:10.0f} lines/s   peak {median[backend + '_import_mib']:.0f} MiB   {imp / median['seed']:.2f} x seed")
        print(f"  import again          {again:8.1f} s  {median['lines'] / again:10.0f} lines/s   {again / imp:.2f} x first import")
        print(f"  (lines repeating the version before them, kept as one version: {median[backend + '_merged']:.0f})")
    if "batched" in median:
        batched = median["batched"]
        print(f"  import (postgres, --no-initial-load) {batched:8.1f} s  {median['lines'] / batched:10.0f} lines/s   {batched / median['seed']:.2f} x seed")


if __name__ == "__main__":
    main()
