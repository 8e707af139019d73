"""What the log costs under attack: 10 s of anonymous wrk against the lookup.

    apt-get install wrk            # once
    cargo build --release -p customer-server
    python3 bench/log_budget.py    # LOG_BUDGET_SECONDS (10), LOG_BUDGET_CONNECTIONS (64)

The release binary serves as production does (JSON logs at info, `auth.mode = "required"`,
the default failed-authentication limit of 10/s per client address) over an empty
PostgreSQL database of its own. wrk sends lookups without any credential, from one
address, for LOG_BUDGET_SECONDS at LOG_BUDGET_CONNECTIONS connections: every one is
refused, 401 until the address's budget is spent, 429 after. The script counts the lines
the service wrote while wrk ran, and the refusals `/metrics` counted; it fails when the
log grew by more than BUDGET lines (none of these requests is accepted, so no access line
is due), or when the metrics missed a refusal wrk saw answered.
"""

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

SECONDS = int(os.environ.get("LOG_BUDGET_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("LOG_BUDGET_CONNECTIONS", "64"))
BUDGET = 300
DATABASE = "customer_log_budget"
QUERY = "/v1/core/customer?companyCode=jtc&customerId=54218&lang=en"
SETTINGS = {
    "APP__AUTH__MODE": "required",
    "APP__AUTH__FAILED_AUTH_RATE_LIMIT": "10/s",
    "APP__DATABASE__MIGRATE_ON_START": "true",
    "APP__LOG__LEVEL": "info",
}


def refusals(service):
    """Refused requests as `/metrics` counts them, all reasons together."""
    with urllib.request.urlopen(f"{service.base}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("http_refused_requests_total"))


def main():
    bench.psql(bench.ADMIN_URL, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    bench.psql(bench.ADMIN_URL, f"CREATE DATABASE {DATABASE}")
    service = bench.Service(bench.db_url(DATABASE), SETTINGS)
    try:
        before_lines = sum(1 for _ in open(service.log.name, "rb"))
        before_refusals = refusals(service)
        wrk = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", f"{service.base}{QUERY}"],
            check=True, capture_output=True, text=True)
        after_lines = sum(1 for _ in open(service.log.name, "rb"))
        refused = refusals(service) - before_refusals
        log_tail = Path(service.log.name).read_text(errors="replace").splitlines()[before_lines:]
    finally:
        service.stop()
        bench.psql(bench.ADMIN_URL, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    requests = int(re.search(r"(\d+) requests in", wrk.stdout).group(1))
    grown = after_lines - before_lines
    print(f"{SECONDS} s of anonymous wrk at {CONNECTIONS} connections: {requests} requests answered, "
          f"{refused:.0f} refusals counted by /metrics, {grown} log lines written "
          f"({grown / max(requests, 1) * 1e6:.1f} per million requests; budget {BUDGET})")
    for line in log_tail[:5]:
        print(f"  {line[:300]}")
    if grown > BUDGET:
        raise SystemExit(f"the log grew by {grown} lines, over the budget of {BUDGET}")
    if refused < requests:
        raise SystemExit(f"/metrics counted {refused:.0f} refusals, fewer than wrk's {requests} answers")


if __name__ == "__main__":
    main()
