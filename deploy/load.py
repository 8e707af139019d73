#!/usr/bin/env python3
"""Load through a load balancer while instances are stopped, for deploy/try-cluster.sh.

Sends lookups over CONNECTIONS keep-alive connections for DURATION seconds (standard
library only: asyncio and a minimal HTTP/1.1 client), SIGTERMs one process at a third of
the run and SIGKILLs another at two thirds, then prints per phase the requests answered,
the errors (non-2xx answers and connection errors, by kind) and the p99 latency, the
throughput per second, and how soon it came back after the SIGKILL.

Exit status 1 when a target fails: no error at all between the SIGTERM and the SIGKILL
(the draining instance answers everything it accepted), and at most CONNECTIONS errors
after the SIGKILL (only the requests in flight on the killed instance may fail). How soon
the throughput comes back is printed, not checked (a shared machine is noisy).
"""

import argparse
import asyncio
import os
import signal
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True, help="API key sent as a bearer token")
    parser.add_argument("--queries", required=True, help="file of query strings, one a line")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--sigterm", type=int, required=True, help="pid stopped at a third")
    parser.add_argument("--sigkill", type=int, required=True, help="pid killed at two thirds")
    return parser.parse_args()


class Stats:
    """Every request's outcome: (start offset s, latency s, kind, instance); kind is the
    status, or an error's name; instance the load balancer's X-Served-By."""

    def __init__(self):
        self.records = []

    def add(self, start, latency, kind, server):
        self.records.append((start, latency, kind, server))


async def read_response(reader):
    """Reads one response; returns (status, keep_alive, the instance that answered)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    keep_alive = True
    server = "-"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            keep_alive = False
        elif name == "x-served-by":
            server = value.strip()
    if length:
        await reader.readexactly(length)
    return status, keep_alive, server


async def worker(args, queries, index, stats, t0, stop_at):
    reader = writer = None
    n = index
    while True:
        now = time.monotonic()
        if now >= stop_at:
            break
        query = queries[n % len(queries)]
        n += args.connections
        request = (f"GET /v1/core/customer?{query} HTTP/1.1\r\nHost: {args.host}\r\n"
                   f"Authorization: Bearer {args.key}\r\n\r\n").encode()
        start = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(args.host, args.port)
            writer.write(request)
            await writer.drain()
            status, keep_alive, server = await asyncio.wait_for(read_response(reader), 15)
            stats.add(start - t0, time.monotonic() - start, status, server)
            if not keep_alive:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError, IndexError) as error:
            kind = {
                asyncio.IncompleteReadError: "closed",
                ConnectionRefusedError: "refused",
                ConnectionResetError: "reset",
                asyncio.TimeoutError: "timeout",
            }.get(type(error), type(error).__name__)
            stats.add(start - t0, time.monotonic() - start, kind, "-")
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


def p99(latencies):
    if not latencies:
        return float("nan")
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def run(args):
    queries = [line.strip() for line in open(args.queries) if line.strip()]
    stats = Stats()
    t0 = time.monotonic()
    stop_at = t0 + args.duration
    term_at, kill_at = args.duration / 3, 2 * args.duration / 3

    async def signals():
        await asyncio.sleep(term_at)
        os.kill(args.sigterm, signal.SIGTERM)
        await asyncio.sleep(kill_at - term_at)
        os.kill(args.sigkill, signal.SIGKILL)

    await asyncio.gather(signals(), *(worker(args, queries, i, stats, t0, stop_at)
                                      for i in range(args.connections)))
    return report(args, stats.records, term_at, kill_at)


def is_error(kind):
    return not (isinstance(kind, int) and 200 <= kind < 300)


def report(args, records, term_at, kill_at):
    end = args.duration
    phases = [("before", 0, term_at), ("after SIGTERM", term_at, kill_at),
              ("after SIGKILL", kill_at, end), ("end (last 5 s)", max(kill_at, end - 5), end)]
    print(f"\n{args.connections} connections, {args.duration:.0f} s; SIGTERM at {term_at:.1f} s "
          f"(pid {args.sigterm}), SIGKILL at {kill_at:.1f} s (pid {args.sigkill})\n")
    print(f"{'phase':<16} {'seconds':>9} {'answered':>9} {'req/s':>7} {'errors':>7} {'p99 ms':>8}  "
          "answered by; error kinds")
    errors_by_phase = {}
    for name, start, stop in phases:
        chosen = [r for r in records if start <= r[0] < stop]
        ok = [r for r in chosen if not is_error(r[2])]
        errors = [r for r in chosen if is_error(r[2])]
        kinds = {}
        for _, _, kind, _ in errors:
            kinds[str(kind)] = kinds.get(str(kind), 0) + 1
        errors_by_phase[name] = len(errors)
        servers = {}
        for record in ok:
            servers[record[3]] = servers.get(record[3], 0) + 1
        span = stop - start
        print(f"{name:<16} {start:4.0f}-{stop:<4.0f} {len(ok):9d} {len(ok) / span:7.0f} {len(errors):7d} "
              f"{p99([r[1] for r in ok]) * 1000:8.1f}  "
              + " ".join(f"{k}={v}" for k, v in sorted(servers.items())) + "; "
              + (", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())) or "no error"))

    per_second = [0] * (int(end) + 1)
    for start, _, kind, _ in records:
        if not is_error(kind):
            per_second[int(start)] += 1
    print("\nanswered per second:", " ".join(str(n) for n in per_second[: int(end)]))
    before = per_second[1:int(term_at)] or per_second[:1]
    baseline = sorted(before)[len(before) // 2]
    kill_second = int(kill_at)
    after_kill = per_second[kill_second:int(end)]
    # Back once no later second falls below 80% of before (a busy machine's dips count).
    below = [s for s, n in enumerate(after_kill) if n < 0.8 * baseline]
    back = below[-1] + 1 if below else 0
    tail = per_second[max(kill_second, int(end) - 5):int(end)]
    level = 100 * (sum(tail) / len(tail)) / baseline if tail and baseline else 0
    lowest = min(after_kill) if after_kill else 0
    if below and below[-1] == len(after_kill) - 1:
        print(f"throughput not back to 80% of before ({baseline}/s) by the end; "
              f"lowest second after the SIGKILL {lowest}/s, last 5 s at {level:.0f}% of before")
    else:
        print(f"throughput back to 80% of before ({baseline}/s) within {back} s of the SIGKILL "
              f"(target 10 s: {'met' if back <= 10 else 'missed'}); lowest second after it "
              f"{lowest}/s; last 5 s at {level:.0f}% of before")

    failures = []
    if errors_by_phase["after SIGTERM"]:
        failures.append(f"{errors_by_phase['after SIGTERM']} errors after the SIGTERM (target: none)")
    if errors_by_phase["after SIGKILL"] > args.connections:
        failures.append(f"{errors_by_phase['after SIGKILL']} errors after the SIGKILL "
                        f"(target: at most the {args.connections} requests in flight)")
    if not any(not is_error(r[2]) for r in records):
        failures.append("no request answered")
    for failure in failures:
        print(f"FAILED: {failure}")
    if not failures:
        print("targets met: no error from the SIGTERM'd instance; SIGKILL errors within the in-flight requests")
    return 1 if failures else 0


def main():
    args = parse_args()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
