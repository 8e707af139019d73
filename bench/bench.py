"""The load benchmark of customer-api (run it through bench/run.sh).

Measures the release binary (BENCH_BINARY) in four configurations, each side by side with
its limit, and writes one table into docs/benchmarks.md (above its `<!-- notes -->`):

- A, the lookup alone (`LOOKUP_ONLY`: no authentication, no audit trail), for every shape
  of `SHAPES`, against `pgbench -M prepared` running the two minimal statements of that
  lookup (written by hand below: the current versions that match, then their contacts),
  with the same keys at the same concurrency;
- B, the production defaults (an API key on every request, the audit trail written
  before the answer: `audit.mode = "sync"`), against pgbench running the same two
  statements and one audit-row INSERT in one transaction per lookup;
- C, as B but with the trail written in the background (`audit.mode = "async"`),
  against A's figure on the same data;
- SQLite: A's settings on a SQLite file of BENCH_SQLITE_SIZE synthetic customers, against
  A on a PostgreSQL database of the same size; and SQLite with its default audit (as B).

A, B and C run at each of BENCH_SIZES. The runs alternate: for each run index, for each
data set, every configuration and its limit run back to back (the order turning with the
run index), so that a slow spell of the machine falls on all. Every figure is the median
of BENCH_RUNS runs; each configuration also gets one run at STRESS_CONNECTIONS to count
errors. For every run the CPU per request of the service, of the load generator, of
PostgreSQL and of the whole machine is read from /proc.
"""

import datetime
import hashlib
import hmac
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

if __name__ == "__main__":
    # bench/security.py (used below) imports this module as `bench`: one copy of it.
    sys.modules.setdefault("bench", sys.modules[__name__])

ROOT = Path(__file__).resolve().parent.parent
# The binary measured: BENCH_BINARY measures another build (a baseline) with the same harness.
BINARY = Path(os.environ.get("BENCH_BINARY") or ROOT / "target" / "release" / "customer-api").resolve()
SYNTHETIC = Path(os.environ.get("BENCH_SYNTHETIC") or ROOT / "target" / "release" / "customer-synthetic").resolve()
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000 1000000").split()]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
DURATION = int(os.environ.get("BENCH_DURATION", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
STRESS_CONNECTIONS = 64
# Seconds of load per configuration and shape before the measured runs: each connection
# prepares each statement at its first use, which is not the steady state measured.
WARM_UP = int(os.environ.get("BENCH_WARM_UP", "2"))
SEED = 42
# pgbench takes at most 128 scripts; each holds the statements of one key.
KEYS = 128
OUTPUT = ROOT / "docs" / "benchmarks.md"
# The SQLite comparison: its size (0 or BENCH_SQLITE=0: none), and where its files live.
SQLITE_SIZE = int(os.environ.get("BENCH_SQLITE_SIZE", "100000")) if os.environ.get("BENCH_SQLITE", "1") != "0" else 0
SQLITE_DIR = Path(os.environ.get("BENCH_SQLITE_DIR") or ROOT / "target" / "bench")
# The shapes B and C are measured with.
AUDIT_SHAPES = os.environ.get("BENCH_AUDIT_SHAPES", "customerId").split()

SHAPES = ["customerId", "identificationNo", "mobileNumber", "referenceNo", "all four", "no match", "invalid"]
# BENCH_SHAPES="customerId,invalid" (commas): fewer shapes of A, for a quick look.
SHAPES = [s for s in SHAPES if s in os.environ.get("BENCH_SHAPES", ",".join(SHAPES)).split(",")]

# The targets printed under the table.
A_TARGET = 0.85        # A service / its pgbench limit
B_TARGET = 1.2         # B service / its pgbench limit
C_TARGET = 0.9         # C / A
P99_TARGET_MS = 5.0    # at CONNECTIONS connections
RSS_TARGET_MIB = 50    # VmHWM of each service
SQLITE_TARGET = 1.5    # SQLite A / PostgreSQL A
SCALE_TARGET = 0.9     # throughput at the largest size / at the smallest

# The columns the service reads (crates/infrastructure/src/records.rs), in order:
# VersionRecord's 45 of customer_versions and ContactRecord's 13 of customer_contacts.
VERSION_COLUMNS = (
    "version_id, customer_id, customer_version_id, company_id, first_name, middle_name, last_name, "
    "company_name, contact_name, nationality_id, gender_id, customer_type_id, company_type_id, "
    "industry_type_id, date_of_birth, occupation, preferred_contact_type_id, email_address, phone_code_id, "
    "mobile_number, additional_phone_code_id, additional_mobile_number, identification_type_id, "
    "identification_no, country_id, region_id, city_id, zip_code, address1, address2, monthly_income_id, "
    "created_date, is_active, preferred_language_id, national_address, commercial_record, "
    "plot_identification, building_no, unit_no, vat_reg_no, start_date, end_date, city_sub_division_name, "
    "postal_code, user_active")
CONTACT_COLUMNS = (
    "contact_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id, "
    "primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks")
AUDIT_COLUMNS = ("occurred_at, request_id, client_name, credential, company_code, criteria, customer_id_hmac, "
                 "identification_no_hmac, mobile_number_hmac, reference_no_hmac, customers_returned, disclosed")
# The criteria of each shape, in the contract's order (the audit row's `criteria`).
CRITERIA = ["customerId", "identificationNo", "mobileNumber", "referenceNo"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def db_url(name):
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def sqlite_url(path):
    return f"sqlite://{path}"


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


def postgres_cpu_seconds():
    """User and system CPU so far of every process named `postgres` (the server, its
    backends, the WAL writer...): those running now."""
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if Path(f"/proc/{entry.name}/comm").read_text().strip() == "postgres":
                    pids.append(entry.name)
            except OSError:
                continue
    return process_cpu_seconds(pids)


def machine_cpu_seconds():
    """Busy CPU time of the whole machine so far: user + nice + system + irq + softirq
    of /proc/stat's first line."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    """User and system CPU of the children waited for so far (wrk, pgbench)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def prepare_sqlite(size):
    """A SQLite file of `size` synthetic customers (the same generator and seed as the
    PostgreSQL database), reused when a marker says it is complete."""
    path = SQLITE_DIR / f"customers_{size}.db"
    marker = path.with_name(path.name + ".complete")
    text = f"customer-api bench: {size} synthetic customers, seed {SEED}\n"
    if marker.exists() and marker.read_text() == text and path.exists():
        log(f"reusing {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        return path
    log(f"preparing {path} ({size} customers)")
    SQLITE_DIR.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    started = time.monotonic()
    subprocess.run([SYNTHETIC, "--customers", str(size), "--seed", str(SEED)], check=True,
                   env=service_env(sqlite_url(path)))
    log(f"seeded {size} customers into SQLite in {time.monotonic() - started:.0f} s")
    marker.write_text(text)
    return path


def migrate(url):
    """Applies pending migrations (a database seeded by an older build may lack some)."""
    subprocess.run([str(BINARY), "migrate"], env=service_env(url), check=True, capture_output=True)


def sample_keys(url):
    """KEYS current customers that have a reference, spread deterministically over the data."""
    rows = psql(url, f"""
        SELECT c.code, v.company_id, v.customer_id, v.identification_no, v.mobile_number,
               (SELECT min(r.reference_no) FROM customer_references r
                 WHERE r.company_id = v.company_id AND r.customer_id = v.customer_id),
               (SELECT string_agg(m.customer_id::text, ',' ORDER BY m.customer_id) FROM customer_versions m
                 WHERE m.company_id = v.company_id AND m.mobile_number = v.mobile_number AND m.end_date IS NULL),
               v.customer_version_id,
               (SELECT string_agg(m.customer_version_id::text, ',' ORDER BY m.customer_id) FROM customer_versions m
                 WHERE m.company_id = v.company_id AND m.mobile_number = v.mobile_number AND m.end_date IS NULL)
          FROM customer_versions v JOIN companies c ON c.company_id = v.company_id
         WHERE v.end_date IS NULL AND v.identification_no IS NOT NULL AND v.mobile_number IS NOT NULL
           AND EXISTS (SELECT 1 FROM customer_references r WHERE r.company_id = v.company_id AND r.customer_id = v.customer_id)
         ORDER BY hashint8(v.customer_id), v.customer_id
         LIMIT {KEYS}""")
    keys = []
    for code, company, customer, idno, mobile, reference, mobile_ids, version, mobile_versions in rows:
        keys.append({
            "code": code, "company": company, "customerId": customer, "identificationNo": idno,
            "mobileNumber": mobile, "referenceNo": reference, "mobile_ids": mobile_ids.split(","),
            "version": version, "mobile_versions": mobile_versions.split(","),
        })
    if len(keys) < KEYS:
        raise SystemExit(f"only {len(keys)} usable keys in {url}")
    return keys


def check_sqlite_keys(path, keys):
    """The keys sampled from PostgreSQL hold in the SQLite file too (the generator is
    deterministic: same seed, same customers, ids and companies)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        for key in keys:
            row = db.execute(
                "SELECT c.code, v.identification_no, v.mobile_number, v.customer_version_id,"
                " EXISTS (SELECT 1 FROM customer_references r WHERE r.company_id = v.company_id"
                "         AND r.customer_id = v.customer_id AND r.reference_no = ?)"
                " FROM customer_versions v JOIN companies c ON c.company_id = v.company_id"
                " WHERE v.company_id = ? AND v.customer_id = ? AND v.end_date IS NULL",
                (key["referenceNo"], int(key["company"]), int(key["customerId"]))).fetchone()
            expected = (key["code"], key["identificationNo"], key["mobileNumber"], int(key["version"]), 1)
            if row != expected:
                raise SystemExit(f"{path}: customer {key['customerId']} of company {key['company']} is {row}, "
                                 f"PostgreSQL's is {expected}: not the same synthetic data")
    finally:
        db.close()


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


def returned_versions(shape, key):
    """The customer version ids of `returned_ids`, in the same order."""
    if shape == "mobileNumber":
        return key["mobile_versions"]
    if shape == "no match":
        return []
    return [key["version"]]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Configuration A: the lookup itself. The anonymous caller of `auth.mode = "disabled"`
# has the default rate limit.
LOOKUP_ONLY = {"APP__AUTH__MODE": "disabled", "APP__AUTH__DEFAULT_RATE_LIMIT": "1000000/s",
               "APP__AUDIT__MODE": "off"}
# Configuration B: the production defaults (every lookup needs an API key; the audit
# record is committed before the answer). C: the record written in the background.
PRODUCTION = {"APP__AUTH__MODE": "required", "APP__AUDIT__MODE": "sync"}
ASYNC_AUDIT = {"APP__AUTH__MODE": "required", "APP__AUDIT__MODE": "async"}


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


def sql_literal(value):
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def colon_free(value):
    """A text literal without a colon in it (pgbench would read `:x` as a variable):
    the pieces joined with chr(58), which the planner folds into a constant."""
    return " || chr(58) || ".join(sql_literal(piece) for piece in str(value).split(":"))


def lookup_statements(shape, key, index):
    """The two minimal statements of a lookup of `shape` for `key` (one for a miss):
    exactly the columns the service reads, by the index the service's statement uses."""
    company = int(key["company"])
    current = f"SELECT {VERSION_COLUMNS} FROM customer_versions WHERE company_id = {company} AND end_date IS NULL"
    reference = (f"customer_id IN (SELECT customer_id FROM customer_references WHERE company_id = {company} "
                 f"AND reference_no = {sql_literal(key['referenceNo'])})")
    if shape == "customerId":
        first = f"{current} AND customer_id = {int(key['customerId'])}"
    elif shape == "identificationNo":
        first = f"{current} AND identification_no = {sql_literal(key['identificationNo'])} ORDER BY customer_id"
    elif shape == "mobileNumber":
        first = f"{current} AND mobile_number = {sql_literal(key['mobileNumber'])} ORDER BY customer_id"
    elif shape == "referenceNo":
        first = f"{current} AND {reference} ORDER BY customer_id"
    elif shape == "all four":
        first = (f"{current} AND customer_id = {int(key['customerId'])} "
                 f"AND identification_no = {sql_literal(key['identificationNo'])} "
                 f"AND mobile_number = {sql_literal(key['mobileNumber'])} AND {reference}")
    elif shape == "no match":
        return [f"{current} AND customer_id = {9_000_000_000_000 + index}"]
    else:
        return []
    ids = "{" + ",".join(returned_ids(shape, key)) + "}"
    contacts = (f"SELECT {CONTACT_COLUMNS} FROM customer_contacts WHERE company_id = {company} "
                f"AND customer_id = ANY('{ids}') ORDER BY customer_id, contact_id")
    return [first, contacts]


# The key of the limit's criterion digests: the service's is its own (audit_settings);
# any key gives a digest of the same form (64 hex digits).
DIGEST_KEY = b"customer-api bench"


def audit_insert(shape, key, index):
    """The audit row the service writes for a lookup of `shape` for `key`: one INSERT."""
    values = {"customerId": key["customerId"], "identificationNo": key["identificationNo"],
              "mobileNumber": key["mobileNumber"], "referenceNo": key["referenceNo"]}
    if shape == "all four":
        given = CRITERIA
    elif shape == "no match":
        given, values = ["customerId"], {"customerId": str(9_000_000_000_000 + index)}
    else:
        given = [shape]
    digests = [hmac.new(DIGEST_KEY, str(values[c]).encode(), hashlib.sha256).hexdigest() if c in given else None
               for c in CRITERIA]
    disclosed = "[" + ",".join(f'{{"customerId":{i},"customerVersionId":{v}}}'
                               for i, v in zip(returned_ids(shape, key), returned_versions(shape, key))) + "]"
    row = ["now() AT TIME ZONE 'UTC'", "gen_random_uuid()::text", "'bench-limit'", colon_free("key:0123456789ab"),
           sql_literal(key["code"]), sql_literal(",".join(given)), *(sql_literal(d) for d in digests),
           str(len(returned_ids(shape, key))), colon_free(disclosed)]
    return f"INSERT INTO audit_disclosures ({AUDIT_COLUMNS}) VALUES ({', '.join(row)})"


def limit_scripts(shape, keys, folder, audit=False):
    """One pgbench script per key: the minimal statements of `shape` for that key; with
    `audit`, in one transaction with the audit row's INSERT. None for a shape that sends
    no statement (invalid input)."""
    if not lookup_statements(shape, keys[0], 0):
        return None
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for index, key in enumerate(keys):
        statements = lookup_statements(shape, key, index)
        if audit:
            statements = ["BEGIN", *statements, audit_insert(shape, key, index), "END"]
        path = folder / f"{'audit_' if audit else ''}{shape.replace(' ', '_')}_{index}.sql"
        path.write_text("".join(f"{s};\n" for s in statements))
        files.append(path)
    return files


def check_columns():
    """The hand-written column lists are still the records' (warns when not)."""
    source = (ROOT / "crates" / "infrastructure" / "src" / "records.rs").read_text()
    for record, columns in (("VersionRecord", VERSION_COLUMNS), ("ContactRecord", CONTACT_COLUMNS)):
        body = source.split(f"pub(crate) struct {record} {{", 1)[1].split("}", 1)[0]
        fields = re.findall(r"pub (\w+):", body)
        if fields != [c.strip() for c in columns.split(",")]:
            log(f"warning: {record} now reads {', '.join(fields)}; bench.py's statements select {columns}")


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
    cpu_before = children_cpu_seconds()
    result = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration or DURATION}s",
                             "--timeout", "10s", "-s", str(script), service.base],
                            check=True, capture_output=True, text=True)
    loadgen_cpu = children_cpu_seconds() - cpu_before
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
        # User and system CPU of wrk itself, in seconds.
        "loadgen_cpu": loadgen_cpu,
    }


def run_pgbench(url, files, folder, connections=None, duration=None):
    """pgbench -M prepared over `files` (one picked at random per transaction). Besides
    its rate and latencies, the CPU per transaction: pgbench's own (its whole run), and
    PostgreSQL's and the machine's, sampled while it runs (its backends exit at the end):
    between two samples 0.5 s after its start and 0.5 s before its end, over the
    transactions its log says completed in between."""
    connections = connections or CONNECTIONS
    duration = duration or DURATION
    logs = Path(folder) / "pgbench_logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    command = ["pgbench", "-n", "-M", "prepared", "-c", str(connections), "-j", str(min(2, connections)),
               "-T", str(duration), "-l", "--log-prefix", str(logs / "log")]
    for path in files:
        command += ["-f", f"{path}@1"]
    cpu_before = children_cpu_seconds()
    started = time.monotonic()
    process = subprocess.Popen(command + [url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    margin = min(0.5, duration / 4)
    time.sleep(margin)
    first = (time.time(), postgres_cpu_seconds(), machine_cpu_seconds())
    time.sleep(max(0.0, started + duration - margin - time.monotonic()))
    second = (time.time(), postgres_cpu_seconds(), machine_cpu_seconds())
    stdout, stderr = process.communicate()
    loadgen_cpu = children_cpu_seconds() - cpu_before
    if process.returncode != 0:
        raise SystemExit(f"pgbench failed ({process.returncode}):\n{stderr}{stdout}")
    tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", stdout).group(1))
    processed = int(re.search(r"number of transactions actually processed: (\d+)", stdout).group(1))
    latencies = []
    in_window = 0
    for path in logs.iterdir():
        for line in path.read_text().splitlines():
            parts = line.split()
            latencies.append(int(parts[2]) / 1000.0)
            if first[0] <= int(parts[4]) + int(parts[5]) / 1e6 < second[0]:
                in_window += 1
    latencies.sort()
    failed = int(re.search(r"number of failed transactions: (\d+)", stdout).group(1)) \
        if "number of failed transactions" in stdout else 0
    window = max(in_window, 1)
    return {"rps": tps, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "errors": failed,
            "requests": processed,
            "loadgen_cpu_us": loadgen_cpu / max(processed, 1) * 1e6,
            "pg_cpu_us": (second[1] - first[1]) / window * 1e6,
            "machine_cpu_us": (second[2] - first[2]) / window * 1e6}


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


# ---------------------------------------------------------------------------------------
# The side-by-side measurement.


class PgTrail:
    """The audit trail of a PostgreSQL database."""

    def __init__(self, url):
        self.url = url

    def count(self, client):
        return int(psql(self.url, f"SELECT count(*) FROM audit_disclosures WHERE client_name = '{client}'")[0][0])

    def clear(self):
        psql(self.url, "TRUNCATE audit_disclosures")


class SqliteTrail:
    """The audit trail of a SQLite file (read while the service writes it: WAL mode)."""

    def __init__(self, path):
        self.path = path

    def count(self, client):
        db = sqlite3.connect(self.path, timeout=30)
        try:
            return db.execute("SELECT count(*) FROM audit_disclosures WHERE client_name = ?", (client,)).fetchone()[0]
        finally:
            db.close()

    def clear(self):
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("DELETE FROM audit_disclosures")
            db.commit()
        finally:
            db.close()


class Config:
    """One configuration of the service on one data set: its settings, the shapes it is
    measured with, its limit ("lookup": pgbench with the minimal statements; "audit":
    the same and the audit INSERT in one transaction; None), and for one that
    authenticates its client and API key, and the trail its audit rows go to."""

    def __init__(self, name, url, settings, shapes, limit=None, trail=None, client=None):
        self.name, self.url, self.settings, self.shapes, self.limit = name, url, settings, shapes, limit
        self.trail, self.client, self.key = trail, client, None
        self.service = None

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.key}"} if self.key else None


def measure_service(config, shape, keys, folder, connections, checks, duration=None):
    """One wrk run of `shape` against `config`'s service, with the CPU per request of the
    service, of wrk, of PostgreSQL and of the machine; for a configuration that audits,
    checks that its audit rows added equal the lookups it answered 2xx (its /metrics)."""
    import security  # noqa: E402  (imports this module)
    service = config.service
    if config.trail:
        security.wait_for_audit_writer(service)
        rows_before = config.trail.count(config.client)
        metrics_before = security.metrics(service)
    pg_before, machine_before, service_before = postgres_cpu_seconds(), machine_cpu_seconds(), service.cpu_seconds()
    result = run_wrk(service, shape, keys, connections, folder, duration, config.headers)
    pg_after, machine_after, service_after = postgres_cpu_seconds(), machine_cpu_seconds(), service.cpu_seconds()
    requests = max(result["requests"], 1)
    result["service_cpu_us"] = (service_after - service_before) / requests * 1e6
    result["loadgen_cpu_us"] = result.pop("loadgen_cpu") / requests * 1e6
    result["pg_cpu_us"] = (pg_after - pg_before) / requests * 1e6
    result["machine_cpu_us"] = (machine_after - machine_before) / requests * 1e6
    if config.trail:
        security.wait_for_audit_writer(service)
        rows = config.trail.count(config.client) - rows_before
        metrics_after = security.metrics(service)
        answered = metrics_after["answered"] - metrics_before["answered"]
        failed = metrics_after["failed_batches"] - metrics_before["failed_batches"]
        # wrk stops with up to one request in flight per connection: answered and
        # audited, its answer never read.
        held = rows == answered and 0 <= rows - result["ok"] <= connections and not failed
        checks.append({"config": config.name, "shape": shape, "connections": connections, "rows": rows,
                       "answered": answered, "read": result["ok"], "failed": failed, "held": held})
        if not held:
            log(f"AUDIT CHECK FAILED: {config.name} {shape} at {connections} connections: {rows} audit rows "
                f"for {answered} lookups answered 2xx (wrk read {result['ok']}; {failed} failed inserts)")
    return result


def measure_limit(config, shape, scripts, folder):
    if not scripts:
        return None
    return run_pgbench(config.url, scripts, Path(folder) / "pgbench")


class DataSet:
    """A group of configurations measured together on one data size: their services run
    at the same time (one step of a run), then stop."""

    def __init__(self, label, size, keys, configs):
        self.label, self.size, self.keys, self.configs = label, size, keys, configs

    def items(self):
        return [(config, shape) for config in self.configs for shape in config.shapes]


def start(dataset):
    """Empties the trails, then starts every configuration's service."""
    for trail in {id(c.trail): c.trail for c in dataset.configs if c.trail}.values():
        trail.clear()
    for config in dataset.configs:
        config.service = Service(config.url, config.settings)


def stop(dataset, peak):
    for config in dataset.configs:
        if config.service:
            key = (dataset.size, config.name)
            peak[key] = max(peak.get(key, 0), config.service.peak_rss_kib())
            config.service.stop()
            config.service = None


def run_step(dataset, run, folder, scripts, results, checks, peak, stress):
    """One run of every configuration of `dataset` and its limit, back to back; the
    order of the configurations and of service and limit turns with `run`."""
    start(dataset)
    try:
        for config, shape in dataset.items():
            run_wrk(config.service, shape, dataset.keys, CONNECTIONS, folder, WARM_UP, config.headers)
        items = dataset.items()
        shift = run % len(items)
        for config, shape in items[shift:] + items[:shift]:
            entry = results.setdefault((dataset.size, config.name, shape), {"service": [], "limit": [], "stress": None})
            script = scripts.get((dataset.size, config.name, shape))

            def service_run():
                entry["service"].append(measure_service(config, shape, dataset.keys, folder, CONNECTIONS, checks))

            def limit_run():
                if script:
                    entry["limit"].append(measure_limit(config, shape, script, folder))

            for part in ((service_run, limit_run) if run % 2 == 0 else (limit_run, service_run)):
                part()
            line = entry["service"][-1]
            log(f"  run {run + 1} {dataset.size:>9,} {config.name:<14} {shape:<16} {line['rps']:8.0f}/s "
                f"p99 {line['p99']:6.2f} ms"
                + (f"   limit {entry['limit'][-1]['rps']:8.0f}/s" if entry["limit"] else ""))
        if stress:
            for config, shape in items:
                result = measure_service(config, shape, dataset.keys, folder, STRESS_CONNECTIONS, checks)
                results[(dataset.size, config.name, shape)]["stress"] = result
                log(f"  {STRESS_CONNECTIONS} conn. {dataset.size:>9,} {config.name:<14} {shape:<16} "
                    f"{result['rps']:8.0f}/s, {result['errors']} errors")
    finally:
        stop(dataset, peak)


def main():
    import security  # noqa: E402  (imports this module)
    if not BINARY.exists():
        raise SystemExit(f"{BINARY} is missing: build it (bench/run.sh does) or set BENCH_BINARY")
    check_columns()
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    if load_before > 1.5:
        log(f"load average {load_before:.2f}: the machine is busy, the figures will be noisy")
    stamp = int(time.time())
    datasets = []
    scripts = {}
    clients = []  # (url, name) to revoke at the end
    with tempfile.TemporaryDirectory(prefix="customer-api-bench-") as folder:
        try:
            for size in SIZES:
                url = prepare_database(size)
                migrate(url)
                keys = sample_keys(url)
                trail = PgTrail(url)
                configs = [
                    Config("A", url, LOOKUP_ONLY, SHAPES, limit="lookup"),
                    Config("B", url, PRODUCTION, AUDIT_SHAPES, limit="audit", trail=trail,
                           client=f"bench-b-{stamp}"),
                    Config("C", url, ASYNC_AUDIT, AUDIT_SHAPES, trail=trail, client=f"bench-c-{stamp}"),
                ]
                datasets.append(DataSet(f"{size:,}", size, keys, configs))
            if SQLITE_SIZE:
                url = prepare_database(SQLITE_SIZE)
                migrate(url)
                keys = sample_keys(url)
                path = prepare_sqlite(SQLITE_SIZE)
                migrate(sqlite_url(path))
                check_sqlite_keys(path, keys)
                configs = []
                if SQLITE_SIZE not in SIZES:
                    configs.append(Config("A", url, LOOKUP_ONLY, ["customerId"]))
                trail = SqliteTrail(path)
                configs += [
                    Config("SQLite A", sqlite_url(path), LOOKUP_ONLY, ["customerId"]),
                    Config("SQLite audit", sqlite_url(path), PRODUCTION, ["customerId"], trail=trail,
                           client=f"bench-sqlite-{stamp}"),
                ]
                datasets.append(DataSet(f"SQLite {SQLITE_SIZE:,}", SQLITE_SIZE, keys, configs))
            for dataset in datasets:
                for config in dataset.configs:
                    if config.client:
                        config.key = security.add_client(config.url, config.client)
                        clients.append((config.url, config.client))
                    for shape in config.shapes:
                        if config.limit:
                            scripts[(dataset.size, config.name, shape)] = limit_scripts(
                                shape, dataset.keys, Path(folder) / str(dataset.size),
                                audit=config.limit == "audit")
            results, checks, peak = {}, [], {}
            for run in range(RUNS):
                shift = run % len(datasets)
                for dataset in datasets[shift:] + datasets[:shift]:
                    log(f"run {run + 1} of {RUNS}: {dataset.label} "
                        f"({(time.monotonic() - started) / 60:.1f} min so far)")
                    run_step(dataset, run, folder, scripts, results, checks, peak, stress=run == RUNS - 1)
        finally:
            for url, client in clients:
                security.revoke_client(url, client)
    load_after = os.getloadavg()[0]
    report(datasets, results, checks, peak, load_before, load_after, time.monotonic() - started)


# ---------------------------------------------------------------------------------------
# The report.

LABELS = {
    "A": "A: lookup alone",
    "B": "B: production defaults",
    "C": "C: async audit",
    "SQLite A": "SQLite, lookup alone",
    "SQLite audit": "SQLite, default audit",
}


def verdict(ok):
    return "met" if ok else "not met"


def ratio_of(a_runs, b_runs):
    """The ratio of the medians of two series of runs, and the min and max of the
    per-run ratios (run i with run i)."""
    pairs = [x["rps"] / y["rps"] for x, y in zip(a_runs, b_runs)]
    return (statistics.median(x["rps"] for x in a_runs) / statistics.median(y["rps"] for y in b_runs),
            min(pairs), max(pairs))


def report(datasets, results, checks, peak, load_before, load_after, seconds):
    series = {key: entry["service"] for key, entry in results.items()}
    limits = {key: entry["limit"] for key, entry in results.items() if entry["limit"]}
    # What each row is compared with: (its runs, its name).
    def comparison(size, name, shape):
        if (size, name, shape) in limits:
            what = ("pgbench: BEGIN, 2 statements, audit INSERT, END" if name == "B"
                    else "pgbench: 2 statements" if len(lookup_statements(shape, datasets[0].keys[0], 0)) == 2
                    else "pgbench: 1 statement")
            return limits[(size, name, shape)], what
        if name == "C" and (size, "A", shape) in series:
            return series[(size, "A", shape)], "A (service)"
        if name == "SQLite A" and (size, "A", shape) in series:
            return series[(size, "A", shape)], f"PostgreSQL A at {size:,}"
        if name == "SQLite audit" and (size, "SQLite A", shape) in series:
            return series[(size, "SQLite A", shape)], "SQLite, lookup alone"
        return None, "n/a"

    header = ("| customers | configuration | shape | req/s | p50 ms | p99 ms | errors (8 / 64 conn.) "
              "| CPU µs/req: service / wrk / PostgreSQL / machine | peak RSS MiB "
              "| compared with | its req/s | its p99 ms | its CPU µs/tx: pgbench / PostgreSQL / machine "
              "| ratio (runs) |")
    rows = [header, "|" + " --- |" * 14]
    ordered = []
    for dataset in datasets:
        for config in dataset.configs:
            for shape in config.shapes:
                key = (dataset.size, config.name, shape)
                if key in results and key not in ordered:
                    ordered.append(key)
    ratios = {}
    for key in ordered:
        size, name, shape = key
        s = median_of(series[key])
        stress = results[key]["stress"]
        other, what = comparison(*key)
        if other:
            o = median_of(other)
            ratio, low, high = ratio_of(series[key], other)
            ratios[key] = (ratio, low, high)
            if "pgbench" in what:
                their_cpu = f"{o['loadgen_cpu_us']:.0f} / {o['pg_cpu_us']:.0f} / {o['machine_cpu_us']:.0f}"
            else:
                their_cpu = "(see its row)"
            theirs = f"{what} | {o['rps']:,.0f} | {o['p99']:.2f} | {their_cpu} | {ratio:.2f} ({low:.2f}-{high:.2f})"
        else:
            theirs = "n/a | n/a | n/a | n/a | n/a"
        rss = peak.get((size, name), 0) / 1024
        rows.append(
            f"| {size:,} | {LABELS[name]} | {shape} | {s['rps']:,.0f} | {s['p50']:.2f} | {s['p99']:.2f} "
            f"| {s['errors']:.0f} / {stress['errors'] if stress else 'n/a'} "
            f"| {s['service_cpu_us']:.0f} / {s['loadgen_cpu_us']:.0f} / {s['pg_cpu_us']:.0f} / "
            f"{s['machine_cpu_us']:.0f} | {rss:.1f} | {theirs} |")

    targets = []

    def listing(items):
        return "; ".join(items) if items else "nothing measured"

    a_items = [(k, r) for k, r in ratios.items() if k[1] == "A" and k in limits]
    targets.append(f"- A service >= {A_TARGET} of its pgbench limit: "
                   f"{verdict(a_items and all(r[0] >= A_TARGET for _, r in a_items))} ("
                   + listing([f"{k[0]:,} {k[2]} {r[0]:.2f}" for k, r in a_items]) + ")")
    b_items = [(k, r) for k, r in ratios.items() if k[1] == "B"]
    targets.append(f"- B service >= {B_TARGET} of its pgbench limit: "
                   f"{verdict(b_items and all(r[0] >= B_TARGET for _, r in b_items))} ("
                   + listing([f"{k[0]:,} {k[2]} {r[0]:.2f}" for k, r in b_items]) + ")")
    c_items = [(k, r) for k, r in ratios.items() if k[1] == "C"]
    targets.append(f"- C >= {C_TARGET} of A (same size and shape): "
                   f"{verdict(c_items and all(r[0] >= C_TARGET for _, r in c_items))} ("
                   + listing([f"{k[0]:,} {k[2]} {r[0]:.2f}" for k, r in c_items]) + ")")
    p99s = [(k, median_of(series[k])["p99"]) for k in ordered]
    over = [f"{k[0]:,} {k[1]} {k[2]} {p:.2f} ms" for k, p in p99s if p > P99_TARGET_MS]
    worst = max(p99s, key=lambda item: item[1])
    targets.append(f"- p99 <= {P99_TARGET_MS:g} ms at {CONNECTIONS} connections, every configuration: "
                   f"{verdict(not over)} (highest {worst[1]:.2f} ms: {worst[0][0]:,} {worst[0][1]} {worst[0][2]}"
                   + (f"; over: {'; '.join(over)}" if over else "") + ")")
    stressed = [(k, results[k]["stress"]["errors"]) for k in ordered if results[k]["stress"]]
    failing = [f"{k[0]:,} {k[1]} {k[2]}: {e}" for k, e in stressed if e]
    targets.append(f"- no errors at {STRESS_CONNECTIONS} connections: {verdict(stressed and not failing)} "
                   f"({len(stressed)} runs" + (f"; errors: {'; '.join(failing)}" if failing else "") + ")")
    heavy = [f"{size:,} {name} {kib / 1024:.1f}" for (size, name), kib in peak.items() if kib / 1024 > RSS_TARGET_MIB]
    targets.append(f"- peak resident memory (VmHWM) of each service <= {RSS_TARGET_MIB} MiB: {verdict(not heavy)} "
                   f"(highest {max(peak.values()) / 1024:.1f} MiB"
                   + (f"; over: {'; '.join(heavy)}" if heavy else "") + ")")
    sqlite_items = [(k, r) for k, r in ratios.items() if k[1] == "SQLite A"]
    if sqlite_items:
        targets.append(f"- SQLite req/s >= {SQLITE_TARGET} x PostgreSQL A: "
                       f"{verdict(all(r[0] >= SQLITE_TARGET for _, r in sqlite_items))} ("
                       + listing([f"{k[0]:,} {k[2]} {r[0]:.2f} ({r[1]:.2f}-{r[2]:.2f})" for k, r in sqlite_items])
                       + ")")
    else:
        targets.append(f"- SQLite req/s >= {SQLITE_TARGET} x PostgreSQL A: not measured")
    main_sizes = sorted(SIZES)
    if len(main_sizes) > 1:
        small, large = main_sizes[0], main_sizes[-1]
        scale = []
        for name, shapes in (("A", SHAPES), ("B", AUDIT_SHAPES), ("C", AUDIT_SHAPES)):
            for shape in shapes:
                if (small, name, shape) in series and (large, name, shape) in series:
                    r = ratio_of(series[(large, name, shape)], series[(small, name, shape)])
                    scale.append((f"{name} {shape} {r[0]:.2f} ({r[1]:.2f}-{r[2]:.2f})", r[0]))
        targets.append(f"- throughput at {large:,} >= {SCALE_TARGET} of {small:,}, each A shape, B and C: "
                       f"{verdict(scale and all(r >= SCALE_TARGET for _, r in scale))} ("
                       + listing([text for text, _ in scale]) + ")")
    else:
        targets.append(f"- throughput at the largest size >= {SCALE_TARGET} of the smallest: not measured "
                       "(one size)")
    broken = [c for c in checks if not c["held"]]
    targets.append(
        f"- audit rows added = lookups answered 2xx (the service's /metrics), in every run of B, C and "
        f"SQLite with its audit ({len(checks)} runs, those at {STRESS_CONNECTIONS} connections included): "
        f"{'held' if checks and not broken else 'BROKEN' if broken else 'not measured'}"
        + (f" ({len(broken)} runs failed: "
           + "; ".join(f"{c['config']} {c['shape']} {c['connections']} conn.: {c['rows']} rows, "
                       f"{c['answered']} answered" for c in broken) + ")" if broken else
           f"; wrk read {min(c['rows'] - c['read'] for c in checks)}-{max(c['rows'] - c['read'] for c in checks)} "
           "fewer answers per run (requests in flight when it stopped)" if checks else ""))

    table = "\n".join(rows + [""] + targets)
    print(table)
    write(table, load_before, load_after, seconds)


def write(table, load_before, load_after, seconds):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    binary = BINARY.relative_to(ROOT) if BINARY.is_relative_to(ROOT) else BINARY
    OUTPUT.parent.mkdir(exist_ok=True)
    previous = OUTPUT.read_text() if OUTPUT.exists() else ""
    notes = previous.split("<!-- notes -->", 1)[1] if "<!-- notes -->" in previous else "\n"
    env = (f'BENCH_SIZES="{" ".join(map(str, SIZES))}" BENCH_RUNS={RUNS} BENCH_DURATION={DURATION} '
           f'BENCH_CONNECTIONS={CONNECTIONS} BENCH_WARM_UP={WARM_UP} BENCH_AUDIT_SHAPES="{" ".join(AUDIT_SHAPES)}" '
           + (f"BENCH_SQLITE_SIZE={SQLITE_SIZE}" if SQLITE_SIZE else "BENCH_SQLITE=0"))
    OUTPUT.write_text(f"""# Benchmarks

Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()},
commit {commit}{' (with uncommitted changes)' if dirty else ''}, binary `{binary}`, in {seconds / 60:.0f} min
(load average {load_before:.2f} at the start, {load_after:.2f} at the end, the benchmark's own load included), with

    {env} bench/run.sh

Configurations (environment of `customer-api serve`; every one also has
`APP__LOG__FORMAT=json`, logs at info to a file, as production runs it, and the default pool
of 16 PostgreSQL connections):

- **A, lookup alone**: `APP__AUTH__MODE=disabled APP__AUTH__DEFAULT_RATE_LIMIT=1000000/s
  APP__AUDIT__MODE=off`. Its limit: `pgbench -M prepared` running the two minimal statements
  of the lookup (one for "no match"; none for "invalid"), written by hand in bench/bench.py:
  the current versions that match, selecting the 45 columns the service reads
  (`VersionRecord`), then the contacts of the customers found (13 columns, `ContactRecord`,
  `customer_id = ANY('{{ids}}') ORDER BY customer_id, contact_id`).
- **B, production defaults**: `APP__AUTH__MODE=required APP__AUDIT__MODE=sync`; every request
  carries `Authorization: Bearer <key>` of a client made for the run by `customer-api clients
  add` (revoked at the end). Its limit: pgbench running, per lookup, `BEGIN`, the same two
  statements, one `INSERT INTO audit_disclosures` of the row the service writes (client name,
  credential `key:…`, company code, criteria, the criterion's HMAC-SHA256 digest, customers
  returned, the disclosed JSON, a UUID request id), `END`: one commit per lookup with the
  server's `synchronous_commit` (on).
- **C, async audit**: as B with `APP__AUDIT__MODE=async`; compared with A's service figure on
  the same data (no pgbench).
- **SQLite**: A's settings with `DATABASE_URL=sqlite://target/bench/customers_<N>.db`, a file
  seeded by `customer-synthetic --customers N --seed 42` (the same generator and seed as the
  PostgreSQL database: the same customers, checked key by key), compared with A on the
  PostgreSQL database of N customers; and "SQLite, default audit": B's settings on the same
  file, with a key made by `clients add` against it, compared with SQLite lookup alone.

How it runs: the PostgreSQL databases `customer_bench_<N>` are seeded with
`customer-synthetic --customers N --seed 42` then `VACUUM ANALYZE`d (both reused when
complete). {KEYS} current customers with a reference are sampled; every request and every
pgbench transaction picks one at random (wrk: a Lua script over their paths; pgbench: one
script per key, `-f key_i.sql@1`, each prepared once per connection). For each run index
(BENCH_RUNS={RUNS}) and each data set, the services of all its configurations start (audit
trail emptied first), each configuration and shape gets {WARM_UP} s of load, then every
configuration and shape runs for {DURATION} s with `wrk -t 2 -c {CONNECTIONS} --timeout 10s`
next to its limit, `pgbench -n -M prepared -c {CONNECTIONS} -j 2 -T {DURATION} -l`, back to back
(the order of the configurations turns with the run index, and service and limit swap
every other run); the services then stop. Figures are medians of the runs; "ratio (runs)"
is the ratio of the medians, then the lowest and highest of the per-run ratios. The last
run adds one wrk run per configuration and shape at {STRESS_CONNECTIONS} connections for the error count.

Columns: "req/s", "p50", "p99" are wrk's (the service) and "its ..." those of what the row
is compared with. "errors": socket errors and answers >= 400 (but the 400 of the "invalid"
shape, its right answer), at {CONNECTIONS} and at {STRESS_CONNECTIONS} connections. "CPU µs/req" is user + system
time per request, read from /proc around each wrk run: the service's own (its
/proc/PID/stat), wrk's (`getrusage(RUSAGE_CHILDREN)` around it), PostgreSQL's (every process
whose /proc/PID/comm is `postgres`: backends, WAL writer, checkpointer...), and the whole
machine's (/proc/stat: user + nice + system + irq + softirq; it includes anything else
running). For a pgbench limit, pgbench's own is its whole run over its transactions; as its
backends exit when it ends, PostgreSQL's and the machine's are sampled while it runs,
between 0.5 s after its start and 0.5 s before its end, over the transactions its log says
completed in between. On this 2-core machine, with the cores saturated, the machine figure
is about 2 / req/s; where it goes shows which process the cores are spent on. "peak RSS"
is the service's VmHWM (the highest over its runs).

{table}
<!-- notes -->{notes}""")
    log(f"written to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
