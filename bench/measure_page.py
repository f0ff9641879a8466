"""Benchmark: the public measure page (/measures/<code>/) on the large framework.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delivery_quarterly \
        .venv/bin/python -m bench.measure_page [--keepdb] [--requests 20]

Fills the database ``<name>_pages`` (created if missing, never the named database itself;
``--keepdb`` reuses one already filled) with the framework of bench/generate.py (200 measures ×
6 areas × 3 breakdowns × 120 months) through the same import service as the admin, computes its
results, publishes an empty report today (so that every figure is public), then GETs the page of the measure with breakdowns that has the most public results
``--requests`` times with Django's test client, DEBUG off, after one warm-up request. It records
the queries per request (which must be the same every time) and the median latency, and the
same for the page's chart image, in bench/RESULTS.md under "## Measure page", replacing only
that section.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench import common

HEADING = "## Measure page"


def fill() -> None:
    """The large framework through the admin's import service, then its results."""
    from measures import calculation

    common.load_framework()
    common.import_all_values()
    started = time.perf_counter()
    calculation.recalculate()
    print(f"Computed the results in {time.perf_counter() - started:.0f} s", flush=True)


def publish() -> None:
    """A report published today: figures are public once a report is published after their
    period ended (Result.objects.public()), so this makes every figure of the framework public.
    Empty: the measure page only reads its date."""
    from django.utils import timezone

    from measures.models import Period
    from reports.models import Report, ReportVersion

    period = Period.objects.for_codes(["2022-23-Q4"])["2022-23-Q4"]
    report, _ = Report.objects.get_or_create(
        period=period, defaults={"slug": "bench", "status": Report.Status.PUBLISHED},
    )
    ReportVersion.objects.get_or_create(
        report=report, number=1,
        defaults={"title": "Bench", "period_label": period.label, "body_html": "",
                  "published_at": timezone.now()},
    )


def pick_measure():
    """The measure with breakdowns and the most public results: the heaviest page."""
    from django.db.models import Count

    from measures.models import Measure, Result

    busiest = (
        Result.objects.public()
        .filter(measure__breakdowns__isnull=False)
        .values("measure")
        .annotate(results=Count("id", distinct=True))
        .order_by("-results", "measure")
        .first()
    )
    if busiest is None:
        raise SystemExit("No measure with breakdowns has public results: nothing to measure")
    return Measure.objects.get(pk=busiest["measure"])


def measure_requests(path: str, count: int) -> tuple[list[int], list[float], int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    warm = client.get(path)  # connection, template and URL caches
    if warm.status_code != 200:
        raise SystemExit(f"GET {path} answered {warm.status_code}")
    queries, timings = [], []
    for _ in range(count):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries.append(len(captured.captured_queries))
    return queries, timings, len(warm.content)


def scale() -> dict[str, int]:
    from measures.models import Area, Breakdown, Measure, Period, Result, Value

    return {
        "measures": Measure.objects.count(),
        "areas": Area.objects.count(),
        "breakdowns": Breakdown.objects.count(),
        "periods": Period.objects.count(),
        "values": Value.objects.count(),
        "results": Result.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keepdb", action="store_true", help="reuse a database already filled")
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()

    url = common.database_url("_pages")
    common.ensure_database(url)
    common.setup_django(url)
    from measures import views
    from measures.models import Result, Value

    if not (options.keepdb and Result.objects.exists()):
        Result.objects.all().delete()
        Value.objects.all().delete()
        fill()
    publish()
    measure = pick_measure()
    path = f"/measures/{measure.code}/"
    load_before = os.getloadavg()[0]
    queries, timings, size = measure_requests(path, options.requests)
    chart_queries, chart_timings, _ = measure_requests(f"{path}chart.svg", options.requests)
    latest = views.latest_results(measure)
    _, history = views.force_history(measure)
    periods_shown = len({result.period_id for _, results in history for result in results})
    sizes = scale()

    fixed = len(set(queries)) == 1 and len(set(chart_queries)) == 1
    text = (
        f"{HEADING}\n\n"
        f"`python -m bench.measure_page`: GET `{path}` {options.requests} times (Django test client, "
        f"DEBUG off, after one warm-up request), on {sizes['measures']:,} measures, "
        f"{sizes['areas']} areas, {sizes['breakdowns']:,} breakdowns, "
        f"{sizes['periods']:,} periods, "
        f"{sizes['values']:,} values and {sizes['results']:,} results. The page shows "
        f"{len(latest)} latest results (areas × breakdowns) and a history of {periods_shown} "
        f"periods in {len(history)} series (tables and chart lines); "
        f"it is {size / 1024:.0f} KiB of HTML.\n\n"
        "| request | queries | median | min | max |\n"
        "| --- | ---: | ---: | ---: | ---: |\n"
        f"| `{path}` | {queries[0]} | {statistics.median(timings):.1f} ms | "
        f"{min(timings):.1f} ms | {max(timings):.1f} ms |\n"
        f"| `{path}chart.svg` | {chart_queries[0]} | {statistics.median(chart_timings):.1f} ms | "
        f"{min(chart_timings):.1f} ms | {max(chart_timings):.1f} ms |\n\n"
        + ("The query count was the same on every request.\n" if fixed else
           f"WARNING: the query count varied: {sorted(set(queries))} (page), "
           f"{sorted(set(chart_queries))} (chart).\n")
        + f"\n{common.machine(load_before)} (other work shares the machine: the query count "
        "is the stable figure, latencies vary with the load).\n\n"
    )
    common.write_section(HEADING, text)
    print(text)


if __name__ == "__main__":
    main()
