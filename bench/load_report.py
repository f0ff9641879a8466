"""Benchmark: the published report page under sustained load, as production serves it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delivery_quarterly \
        .venv/bin/python -m bench.load_report [--duration 60] [--connections 50] [--keepdb]

Fills the database ``<name>_report`` with the demo (``--keepdb`` reuses one that already holds
the published report; bench/report_page.py uses the same database), then serves the app with
gunicorn and production settings (bench/serving.py: DEBUG off, SECRET_KEY, ALLOWED_HOSTS,
PostgreSQL, the Redis broker, hashed static files; SECURE off because the load is plain HTTP on
loopback), with 2 × CPUs + 1 workers, and GETs ``/reports/2020-21-q3/`` with ``wrk``:
``--connections`` connections for ``--duration`` seconds after a 5-second warm-up. Records
requests/s, p50 and p99 latency and every error (refused, reset or timed-out connections, and
answers of 400 or more) in bench/RESULTS.md under "## Report page under load". Target: no error.
"""

from __future__ import annotations

import argparse
import os
import time

from bench import common, serving

HEADING = "## Report page under load"
PAGE = serving.REPORT_PAGE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keepdb", action="store_true", help="reuse a database that holds the report")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=serving.default_workers(),
                        help="gunicorn workers (default 2 × CPUs + 1)")
    parser.add_argument("--no-record", action="store_true", help="print, do not write RESULTS.md")
    options = parser.parse_args()

    url = common.database_url("_report")
    common.ensure_database(url)
    with serving.production_site(url, media="bench-report", broker=serving.broker_url()) as site:
        site.load_demo(keep=options.keepdb)
        server = site.serve(options.workers)
        try:
            size = len(serving.fetch(server.url(PAGE)))
            print(f"loading {PAGE}: {options.connections} connections for {options.duration} s, "
                  f"{options.workers} gunicorn workers", flush=True)
            serving.load(server.url(PAGE), connections=options.connections, duration=5)  # warm-up
            load_before = os.getloadavg()[0]
            run = serving.load(server.url(PAGE), connections=options.connections, duration=options.duration)
            serving.fetch(server.url(PAGE))  # still a 200 afterwards, not a redirect
        finally:
            server.stop()

    verdict = "no error" if run.errors == 0 else f"**{run.errors:,} errors: target missed**"
    section = f"""{HEADING}

`python -m bench.load_report`, {time.strftime('%Y-%m-%d')}: the published report page `{PAGE}`
({size:,} bytes) under {run.tool} with {run.connections} connections for {run.seconds:.0f} s, after a
5-second warm-up. gunicorn with {options.workers} sync workers (2 × CPUs + 1, gunicorn's own advice;
the README's example is 3), production settings (DEBUG off, a SECRET_KEY, ALLOWED_HOSTS, PostgreSQL
with its pool, the Redis broker, hashed static files; SECURE off only because the load is plain
HTTP on loopback), wrk on the same machine.

| requests | requests/s | p50 | p99 | socket errors | answers ≥ 400 | target |
| ---: | ---: | ---: | ---: | ---: | ---: | --- |
| {run.requests:,} | {run.rate:,.0f} | {run.p50_ms:.1f} ms | {run.p99_ms:.1f} ms | {run.socket_errors} | {run.status_errors} | zero errors: {verdict} |

A socket error is a connection refused or reset, a failed read or write, or a response slower than
{serving.TIMEOUT_SECONDS} s. The page answered 200 before and after the run, and wrk received
{run.bytes / max(1, run.requests):,.0f} bytes a response on average (headers included): the whole page
each time. A reader who is not signed in gets the page from the worker's memory
(bench/report_page.py: no query per request), so the work per request is Django's middleware and
sending {size / 1024:,.0f} KB; with {run.connections} connections and {options.workers} sync workers,
most of each request's latency is its wait for a free worker.

{common.machine(load_before)}; wrk, gunicorn and PostgreSQL share the {os.cpu_count()} CPUs
with whatever else runs there, so the figures vary from run to run: rerun with
`scripts/bench load_report` to compare.
"""
    print(section)
    if not options.no_record:
        common.write_section(HEADING, section)


if __name__ == "__main__":
    main()
