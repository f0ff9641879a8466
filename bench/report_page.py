"""Benchmark: the published report page under load, beside a static file of the same size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delivery_quarterly \
        .venv/bin/python -m bench.report_page [--keepdb] [--duration 10] [--connections 8]

Fills the database ``<name>_report`` (created if missing, never the named database itself;
``--keepdb`` reuses one that already holds the published demo report) with the demo: the seed
quarter's figures, surveys and delivery updates, and the report, published as version 1.

Then, with production settings (bench/serving.py), it serves the app with gunicorn on 127.0.0.1
and measures with ``wrk`` (a small threaded Python load generator where wrk is not installed):

- ``/reports/2020-21-q3/``: the published report, served from its frozen snapshot;
- a static file of exactly the same size, served by the same gunicorn (WhiteNoise).

It records requests per second and median latency of each, their ratio (target: the report page
at least half the static file's rate), and the time WeasyPrint takes to render the seed report's
PDF (median of three; target under 10 s), in bench/RESULTS.md under "## Report page", replacing
only that section.
"""

from __future__ import annotations

import argparse
import os
import platform
import textwrap
import time

from bench import common, serving

HEADING = "## Report page"
PAGE = serving.REPORT_PAGE
SAME_SIZE_NAME = "bench-same-size.html"

PDF_TIMING = """
import django, statistics, time
django.setup()
from reports.models import Report
from reports.pdf import pdf_html, render_pdf
from reports.rendering import build_report, render_body
report = Report.objects.select_related("period").get(slug="2020-21-q3")
built = build_report(report, strict=True)
html = pdf_html(title=built.title, subtitle=built.subtitle, body_html=render_body(built), slug=report.slug, version=1)
render_pdf(html, slug=report.slug)  # warm: fonts and stylesheets
timings, cpu, size = [], [], 0
for _ in range(3):
    started, started_cpu = time.perf_counter(), time.process_time()
    data = render_pdf(html, slug=report.slug)
    timings.append(time.perf_counter() - started)
    cpu.append(time.process_time() - started_cpu)
    size = len(data)
started = time.perf_counter()
built = build_report(report, strict=True)
render_body(built)
build = time.perf_counter() - started
print(statistics.median(timings), statistics.median(cpu), size, build)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keepdb", action="store_true", help="reuse a database that holds the report")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load for each URL")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (README: 3)")
    parser.add_argument("--no-record", action="store_true", help="print, do not write RESULTS.md")
    options = parser.parse_args()

    url = common.database_url("_report")
    common.ensure_database(url)
    with serving.production_site(url, media="bench-report") as site:
        site.load_demo(keep=options.keepdb)
        print("rendering the PDF", flush=True)
        pdf_seconds, pdf_cpu, pdf_bytes, build_seconds = map(float, site.run(PDF_TIMING).split())
        load_average = os.getloadavg()[0]

        # The static file must be in STATIC_ROOT when gunicorn starts (WhiteNoise indexes it
        # then), and the same size as the page: measure the page first.
        server = site.serve(options.workers)
        page_size = len(serving.fetch(server.url(PAGE)))
        server.stop()
        (site.static_root / SAME_SIZE_NAME).write_bytes(b"x" * page_size)

        server = site.serve(options.workers)
        try:
            static_url = server.url(f"/static/{SAME_SIZE_NAME}")
            assert len(serving.fetch(static_url)) == page_size == len(serving.fetch(server.url(PAGE)))
            print(f"loading: {options.connections} connections, {options.duration} s each", flush=True)
            serving.load(server.url(PAGE), connections=options.connections, duration=2)  # warm-up
            page = serving.load(server.url(PAGE), connections=options.connections, duration=options.duration)
            static = serving.load(static_url, connections=options.connections, duration=options.duration)
            # Any cookie makes the page the reader's own: read and rendered on every request.
            own = serving.load(
                server.url(PAGE), connections=options.connections, duration=options.duration,
                cookie="bench=1",
            )
        finally:
            server.stop()
    failed = {name: run.errors for name, run in (("page", page), ("static", static), ("own", own)) if run.errors}
    if failed:
        raise SystemExit(f"errors under load: {failed}")
    tool = page.tool
    page_rate, page_median = page.rate, page.p50_ms
    static_rate, static_median = static.rate, static.p50_ms
    own_rate, own_median = own.rate, own.p50_ms

    ratio = page_rate / static_rate
    cpu = platform.processor() or platform.machine()
    section = textwrap.dedent(f"""\
        {HEADING}

        `python -m bench.report_page`, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs ({cpu}), gunicorn with
        {options.workers} workers and production settings (DEBUG off, hashed static files), PostgreSQL on
        loopback, {tool} with {options.connections} connections for {options.duration} s per URL.
        The machine's load average was {load_average:.1f} when the PDF was timed (CPU time is
        the part that does not depend on what else the machine was doing).

        | what | requests/s | median latency |
        | --- | --- | --- |
        | published report page `{PAGE}` ({page_size:,} bytes, from its snapshot) | {page_rate:,.0f} | {page_median:.2f} ms |
        | static file of the same size (WhiteNoise, same server) | {static_rate:,.0f} | {static_median:.2f} ms |
        | **ratio, report page ÷ static file** (target ≥ 0.5) | **{ratio:.2f}** | |
        | the same page never from memory (requests with a cookie: 2 queries and rendering each time) | {own_rate:,.0f} | {own_median:.2f} ms |

        | what | time |
        | --- | --- |
        | PDF of the seed report, WeasyPrint (median of 3; target < 10 s) | {pdf_seconds:.1f} s, of which {pdf_cpu:.1f} s CPU ({pdf_bytes / 1024:,.0f} KB) |
        | building the report from live data (the draft preview's work) | {build_seconds:.2f} s |

        A published page is its frozen HTML in the site's layout: two queries (the list of versions,
        and the version without its data), whatever the report's size. A version never changes, so
        each gunicorn worker keeps the page of a reader who is not signed in (and the list of
        versions for 5 seconds): such a request then costs no query. The PDF is rendered once, in
        Celery, when a version is published, so readers never wait for it.

    """)
    print(section)
    if not options.no_record:
        common.write_section(HEADING, section)


if __name__ == "__main__":
    main()
