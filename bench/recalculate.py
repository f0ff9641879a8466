"""Benchmark: recalculating results on the large framework.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delivery_quarterly \
        .venv/bin/python -m bench.recalculate [--keepdb] [--runs 3]

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

from bench import common

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
        [sys.executable, str(common.ROOT / "manage.py"), "recalculate", *args],
        check=True, env=os.environ.copy(), stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keepdb", action="store_true", help="reuse a database already filled")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    url = common.database_url("_recalc")
    common.ensure_database(url)
    common.setup_django(url)

    from django.db import connection

    from measures import calculation
    from measures.models import Measure, Result, Value

    if not (arguments.keepdb and Value.objects.exists()):
        Value.objects.all().delete()
        common.load_framework()
        common.import_all_values()
    figures = Value.objects.count()
    load_before = os.getloadavg()[0]
    measures = Measure.objects.count()

    full_one, full_two, unchanged, sql, incremental = [], [], [], [], []
    for _ in range(arguments.runs):
        clear_results()
        full_one.append(timed(lambda: run_command("--processes", "1")))
        clear_results()
        full_two.append(timed(lambda: run_command("--processes", "2")))
        started = time.perf_counter()
        calculation.recalculate()
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
        f"120 months), {results:,} stored results. Medians of {arguments.runs} runs, PostgreSQL "
        "on loopback, `python -m bench.recalculate`.",
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
        f"{common.machine(load_before)} (other work shares the machine: times vary with it).",
        "",
    ]
    common.write_section(HEADING, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
