"""Benchmark: recalculating results on the large framework.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delivery_quarterly \
        .venv/bin/python bench/recalculate.py [--keepdb] [--runs 3]

Fills the database ``<name>_recalc`` (created if missing, never the named database itself) with
the framework of bench/generate.py (200 measures × 6 areas × 3 breakdowns × 120 months = 432,000
figures) through the same import service as the admin, then reports, as medians of ``--runs``:

- a full recalculation from no stored results, in one process and in two;
- a full recalculation when nothing changed (every result is compared, none written);
- one hand-written SQL statement that computes the same 12-month sums, and the ratio;
- an incremental recalculation after one figure changes (the measure's own job).

The figures go into bench/RESULTS.md under "## Recalculation", replacing only that section.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Recalculation"

TWELVE_MONTH_SUMS_SQL = """
SELECT measure_id, area_id, breakdown_id, period_end, total FROM (
    SELECT v.measure_id, v.area_id, v.breakdown_id, p."end" AS period_end,
           SUM(v.value) OVER w AS total, COUNT(v.value) OVER w AS months
    FROM measures_value v JOIN measures_period p ON p.id = v.period_id
    JOIN measures_measure m ON m.id = v.measure_id
    WHERE p.kind = 'month' AND m.aggregation = 'sum'
    WINDOW w AS (PARTITION BY v.measure_id, v.area_id, v.breakdown_id ORDER BY p."end"
                 ROWS BETWEEN 11 PRECEDING AND CURRENT ROW)
) sums WHERE months = 12
"""


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/delivery_quarterly")
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_recalc"
    return urlunsplit(parts._replace(path="/" + name))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pccsite.settings")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from pccsite.celery import app

    # Imports queue a recalculation on commit; here nobody consumes it (an in-memory broker), so
    # the filling does not recalculate, and each timing below measures one recalculation.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill() -> None:
    from bench import generate
    from measures import importing
    from measures.models import Area

    for order, code in enumerate(generate.AREAS):
        Area.objects.update_or_create(
            code=code,
            defaults={"name": generate.AREA_NAMES[code], "order": order,
                      "parent": Area.objects.get(code="west-yorkshire") if order else None},
        )
    importing.import_measures(
        source=generate.csv_bytes(generate.FRAMEWORK_HEADER, generate.framework_rows()),
        filename="framework.csv", username="bench",
    ).raise_for_errors()
    started = time.perf_counter()
    rows = list(generate.value_rows())
    chunk = 100_000
    for start in range(0, len(rows), chunk):
        importing.import_values(
            source=generate.csv_bytes(generate.VALUE_HEADER, rows[start:start + chunk]),
            filename="values.csv", username="bench",
        ).raise_for_errors()
    print(f"Imported {len(rows):,} figures in {time.perf_counter() - started:.0f} s")


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def clear_results() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE measures_result, measures_qualityflag, measures_recalculation")


def run_command(*args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "recalculate", *args],
        check=True, env=os.environ.copy(), stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keepdb", action="store_true", help="reuse a database already filled")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    url = bench_database_url()
    ensure_database(url)
    setup_django(url)

    from django.db import connection

    from measures import calculation
    from measures.models import Measure, Result, Value

    if not (arguments.keepdb and Value.objects.exists()):
        Value.objects.all().delete()
        fill()
    figures = Value.objects.count()
    measures = Measure.objects.count()

    full_one, full_two, unchanged, sql, incremental = [], [], [], [], []
    outcome = None
    for _ in range(arguments.runs):
        clear_results()
        full_one.append(timed(lambda: run_command("--processes", "1")))
        clear_results()
        full_two.append(timed(lambda: run_command("--processes", "2")))
        started = time.perf_counter()
        outcome = calculation.recalculate()
        unchanged.append(time.perf_counter() - started)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(TWELVE_MONTH_SUMS_SQL)
            sums = len(cursor.fetchall())
            sql.append(time.perf_counter() - started)
    results = Result.objects.count()
    measure = Measure.objects.get(code="bench-measure-000")
    value = Value.objects.filter(measure=measure, breakdown__code="group-a", area__code="leeds").order_by("period__end")[60]
    touched = []
    for run in range(5):
        Value.objects.filter(pk=value.pk).update(value=value.value + run + 1)
        started = time.perf_counter()
        step = calculation.recalculate([measure.pk])
        incremental.append(time.perf_counter() - started)
        touched.append(step.results_touched)

    median = statistics.median
    lines = [
        HEADING,
        "",
        f"Large framework: {measures} measures, {figures:,} figures (6 areas × 3 breakdowns × "
        f"120 months), {results:,} stored results. Medians of {arguments.runs} runs on this machine "
        "(2 cores), PostgreSQL on loopback, `bench/recalculate.py`.",
        "",
        "| what | median | target |",
        "| --- | --- | --- |",
        f"| full recalculation, no stored results, 1 process (`manage.py recalculate`) | {median(full_one):.1f} s | < 30 s |",
        f"| full recalculation, no stored results, 2 processes (`--processes 2`) | {median(full_two):.1f} s | < 30 s |",
        f"| full recalculation, nothing changed (all compared, none written) | {median(unchanged):.1f} s | |",
        f"| one SQL statement computing the same 12-month sums ({sums:,} sums) | {median(sql):.2f} s | |",
        f"| ratio, full recalculation (1 process) ÷ the SQL statement | {median(full_one) / median(sql):.0f}× | |",
        f"| incremental, one figure changed (results rewritten: {median(touched):.0f}) | {median(incremental) * 1000:.0f} ms | < 0.5 s |",
        "",
        "The SQL statement only sums; the recalculation also derives year-to-date, quarter and "
        "financial-year totals, compares every figure with the year before (differences, "
        "direction, judgement, significance test), checks data quality, and diffs against the "
        "stored rows so that only changes are written.",
        "",
    ]
    write_section("\n".join(lines))
    print("\n".join(lines))


def write_section(section: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    start = text.find(HEADING)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + (text[end + 1:] if end != -1 else "")
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
