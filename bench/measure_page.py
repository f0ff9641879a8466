"""Benchmark: the public measure page (/measures/<code>/) on the large framework.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delivery_quarterly \
        .venv/bin/python bench/measure_page.py [--keepdb] [--requests 20]

Fills the database ``<name>_pages`` (created if missing, never the named database itself;
``--keepdb`` reuses one already filled) with the framework of bench/generate.py (200 measures ×
6 areas × 3 breakdowns × 120 months) through the same import service as the admin, computes its
results, then GETs the page of the measure with breakdowns that has the most public results
``--requests`` times with Django's test client, DEBUG off, after one warm-up request. It records
the queries per request (which must be the same every time) and the median latency, and the
same for the page's chart image, in bench/RESULTS.md under "## Measure page", replacing only
that section.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Measure page"


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/delivery_quarterly")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + parts.path.lstrip("/") + "_pages"))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pccsite.settings")
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"  # production behaviour: cached templates, no debug query log
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    os.environ["SECURE"] = "0"  # the test client speaks plain HTTP
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ.pop("CELERY_BROKER_URL", None)  # recalculation in-process
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill() -> None:
    """The large framework through the admin's import service, then its results."""
    from bench import generate
    from measures import calculation, importing
    from measures.models import Area

    started = time.perf_counter()
    for order, code in enumerate(generate.AREAS):
        Area.objects.update_or_create(
            code=code,
            defaults={"name": generate.AREA_NAMES[code], "order": order,
                      "parent": Area.objects.get(code=generate.AREAS[0]) if order else None},
        )
    importing.import_measures(
        source=generate.csv_bytes(generate.FRAMEWORK_HEADER, generate.framework_rows()),
        filename="framework.csv", username="bench",
    ).raise_for_errors()
    rows = list(generate.value_rows())
    chunk = 100_000
    for first in range(0, len(rows), chunk):
        importing.import_values(
            source=generate.csv_bytes(generate.VALUE_HEADER, rows[first:first + chunk]),
            filename="values.csv", username="bench",
        ).raise_for_errors()
    print(f"Imported {len(rows):,} figures in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    calculation.recalculate()
    print(f"Computed the results in {time.perf_counter() - started:.0f} s")


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


def write_section(text: str) -> None:
    """Replace this benchmark's section of RESULTS.md (or append it), leaving the others alone."""
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    section = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    if section.search(existing):
        updated = section.sub(lambda _: text, existing, count=1)
    else:
        updated = existing.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(updated, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keepdb", action="store_true", help="reuse a database already filled")
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()

    url = bench_database_url()
    ensure_database(url)
    setup_django(url)
    from measures import views
    from measures.models import Result, Value

    if not (options.keepdb and Result.objects.exists()):
        Result.objects.all().delete()
        Value.objects.all().delete()
        fill()
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
        f"`bench/measure_page.py`: GET `{path}` {options.requests} times (Django test client, "
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
        + f"\nMachine: {os.cpu_count()} CPUs, load average {load_before:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after (other work shares the machine: the query count is "
        "the stable figure, latencies vary with the load).\n\n"
    )
    write_section(text)
    print(text)


if __name__ == "__main__":
    main()
