"""Benchmark: importing 100,000 figures through the service the admin's import uses.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delivery_quarterly \
        .venv/bin/python -m bench.import_values [--runs 3] [--rows 100000]

Uses the database ``<name>_import`` (created if missing, never the named database itself). It
holds the large framework of bench/generate.py (200 measures × 6 areas × 3 breakdowns × 120
months = 432,000 figures); the file imported is the most recent 28 months of every measure, area
and breakdown (100,000 rows, written as analysts write them: "35,818"). As medians of ``--runs``:

- the import of the file as new figures: read, check every row, write (measures.importing);
- the same file again (every row unchanged: read, check, compare, write nothing);
- the file with every figure changed (set-based UPDATE);
- PostgreSQL COPY of the same rows, already resolved to ids, into the same table with the same
  triggers (pghistory records each row) and checks: the floor for any way of writing them.

The figures go into bench/RESULTS.md under "## Import of figures", replacing only that section.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench import common

HEADING = "## Import of figures"
RECENT_MONTHS = 28  # 200 × 6 × 3 × 28 = 100,800 rows, cut to --rows


def file_rows(count: int, shift: int = 0) -> list[list[str]]:
    from bench import generate

    recent = set(generate.month_codes()[-RECENT_MONTHS:])
    rows = [row for row in generate.value_rows(shift=shift) if row[3] in recent]
    return rows[:count]


def fill(benchmark_rows: list[list[str]]) -> None:
    """The framework, and every figure but the benchmark's, loaded once (by COPY: it is setup)."""
    from django.db import connection

    from bench import generate
    from measures.models import Value

    common.load_framework()
    expected = 200 * 6 * 3 * 120 - len(benchmark_rows)
    delete_benchmark_rows(benchmark_rows)
    if Value.objects.count() == expected:
        return
    print("Loading the large framework's other figures (once)…", flush=True)
    keys = {tuple(row[:4]) for row in benchmark_rows}
    others = [row for row in generate.value_rows() if tuple(row[:4]) not in keys]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE measures_value, measures_valueevent CASCADE")
    copy_rows(resolve(others), triggers=False)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE measures_value")


def resolve(rows: list[list[str]]) -> list[tuple]:
    """Rows as the database stores them (ids and numbers), for COPY."""
    from measures.models import Area, Breakdown, Measure, Period
    from measures.widgets import parse_figure

    measures = dict(Measure.objects.values_list("code", "pk"))
    areas = dict(Area.objects.values_list("code", "pk"))
    breakdowns = {(m, code): pk for pk, m, code in Breakdown.objects.values_list("pk", "measure_id", "code")}
    periods = {code: period.pk for code, period in Period.objects.for_codes({row[3] for row in rows}).items()}
    resolved = []
    for measure, area, breakdown, period, value, *_ in rows:
        measure_id = measures[measure]
        resolved.append((
            measure_id, areas[area], breakdowns[(measure_id, breakdown)] if breakdown else None,
            periods[period], parse_figure(value)[0],
        ))
    return resolved


def copy_rows(resolved: list[tuple], *, triggers: bool = True, history: bool = True) -> float:
    """COPY into measures_value in one transaction; returns the seconds it took.

    ``history=False`` disables pghistory's insert trigger for the COPY (a reference figure only:
    the app never writes figures without their history).
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from pccsite.audit import audit_context

    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), audit_context(user=None, username="bench", source="copy"):
        with connection.cursor() as cursor:
            if not triggers:
                cursor.execute("SET LOCAL session_replication_role = replica")
            if not history:
                cursor.execute("ALTER TABLE measures_value DISABLE TRIGGER pgtrigger_insert_insert_b2df2")
            # As the import does (measures/importing.py): checks per statement, and an injected
            # statement first, so that pghistory's context is set for the COPY too.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with cursor.cursor.copy(
                "COPY measures_value (measure_id, area_id, breakdown_id, period_id, value, "
                "note, source, updated_at) FROM STDIN"
            ) as copy:
                for row in resolved:
                    copy.write_row((*row, "", "", now))
            if not history:
                cursor.execute("ALTER TABLE measures_value ENABLE TRIGGER pgtrigger_insert_insert_b2df2")
    return time.perf_counter() - started


def delete_benchmark_rows(rows: list[list[str]]) -> None:
    """Remove the benchmark file's figures (and all history) without timing or auditing it."""
    from django.db import connection, transaction

    from measures.models import Period

    codes = {row[3] for row in rows}
    period_ids = list(Period.objects.filter(code__in=codes).values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # no triggers: setup only
        cursor.execute("TRUNCATE measures_valueevent")
        if period_ids:
            cursor.execute("DELETE FROM measures_value WHERE period_id = ANY(%s)", [period_ids])


def timed_import(source: bytes) -> tuple[float, float, object]:
    from measures.importing import import_values

    started, cpu = time.perf_counter(), time.process_time()
    summary = import_values(source=source, filename="figures.csv", username="bench")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    summary.raise_for_errors()
    return elapsed, cpu, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    arguments = parser.parse_args()
    url = common.database_url("_import")
    common.ensure_database(url)
    common.setup_django(url)

    from bench import generate

    rows = file_rows(arguments.rows)
    count = len(rows)
    source = generate.csv_bytes(generate.VALUE_HEADER, rows)
    changed_source = generate.csv_bytes(generate.VALUE_HEADER, file_rows(arguments.rows, shift=1))
    fill(rows)
    resolved = resolve(rows)
    load_before = os.getloadavg()[0]

    timings: dict[str, list[float]] = {
        "new": [], "unchanged": [], "changed": [], "copy": [], "copy_no_history": [], "cpu": [],
    }
    for run in range(arguments.runs):
        delete_benchmark_rows(rows)
        elapsed, cpu, summary = timed_import(source)
        assert summary.new == count, summary.counts
        timings["new"].append(elapsed)
        timings["cpu"].append(cpu)
        elapsed, _, summary = timed_import(source)
        assert summary.unchanged == count, summary.counts
        timings["unchanged"].append(elapsed)
        elapsed, _, summary = timed_import(changed_source)
        assert summary.changed == count, summary.counts
        timings["changed"].append(elapsed)
        delete_benchmark_rows(rows)
        timings["copy"].append(copy_rows(resolved))
        delete_benchmark_rows(rows)
        timings["copy_no_history"].append(copy_rows(resolved, history=False))
        print(f"run {run + 1}: " + ", ".join(f"{name} {values[-1]:.2f} s" for name, values in timings.items()), flush=True)
    delete_benchmark_rows(rows)

    median = {name: statistics.median(values) for name, values in timings.items()}
    rate = {name: count / seconds for name, seconds in median.items() if name != "cpu"}
    report = "\n".join([
        HEADING,
        "",
        f"`python -m bench.import_values` ({arguments.runs} runs, medians), "
        f"{time.strftime('%Y-%m-%d')}: {count:,} rows (the latest {RECENT_MONTHS} months of every "
        "measure, area and breakdown of the bench/generate.py framework, typed with thousands "
        "separators) imported into a database already holding the other "
        f"{200 * 6 * 3 * 120 - count:,} figures, through `measures.importing.import_values`, the "
        "service the admin's confirm, the Celery task and `import_values` call: read, check every "
        "row, compare with what is stored, write, audit (pghistory) and queue the recalculation.",
        "",
        "| what | seconds | rows/s |",
        "| --- | ---: | ---: |",
        f"| import, every row new (bulk insert) | {median['new']:.2f} | {rate['new']:,.0f} |",
        f"| import, every row unchanged (nothing written) | {median['unchanged']:.2f} | {rate['unchanged']:,.0f} |",
        f"| import, every row changed (set-based UPDATE) | {median['changed']:.2f} | {rate['changed']:,.0f} |",
        f"| PostgreSQL COPY of the same rows (ids resolved beforehand) | {median['copy']:.2f} | {rate['copy']:,.0f} |",
        f"| for reference: that COPY without pghistory's insert trigger | {median['copy_no_history']:.2f} | {rate['copy_no_history']:,.0f} |",
        "",
        f"Import of new rows ÷ COPY: **{median['new'] / median['copy']:.2f}×** the time. "
        f"The import process used {median['cpu']:.1f} s of CPU for the new rows; the rest is "
        "the database, where pghistory's statement-level history trigger (an audit event for "
        "every row, through a transition table) costs COPY as much as the import.",
        "",
        f"{common.machine(load_before)} (other work was running on it: compare the ratio to "
        "COPY, which ran under the same load, rather than the absolute rates).",
        "",
    ])
    common.write_section(HEADING, report)
    print(report)


if __name__ == "__main__":
    main()
