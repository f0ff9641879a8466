"""A large framework and its figures, in the exchange format, for benchmarks.

200 measures × 6 areas × 3 breakdowns × 120 months (April 2013 to March 2023) = 432,000 figures.
Month codes from 2013 on are never read as financial years (ADR 0003), so every code is
unambiguous. Deterministic: the same arguments give the same rows, so runs compare.

    python bench/generate.py OUT_DIR            # writes framework.csv and values.csv
    python bench/generate.py OUT_DIR --months 28

Other benchmarks import the functions: ``framework_rows()``, ``value_rows()``, ``AREAS``.
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Iterator
from pathlib import Path

AREAS = ["west-yorkshire", "bradford", "calderdale", "kirklees", "leeds", "wakefield"]
AREA_NAMES = {code: code.replace("-", " ").title() for code in AREAS}
BREAKDOWNS = ["group-a", "group-b", "group-c"]
FIRST_MONTH = (2013, 4)
MONTHS = 120
MEASURES = 200
PRIORITIES = 4
OBJECTIVES_PER_PRIORITY = 5

FRAMEWORK_HEADER = [
    "priority", "objective", "code", "name", "definition", "source", "unit", "decimals",
    "polarity", "aggregation", "comparison", "band", "new", "headline", "districts_sum",
    "breakdowns", "numerator", "denominator", "factor",
]
VALUE_HEADER = ["measure", "area", "breakdown", "period", "value", "numerator", "denominator", "note"]


def measure_code(index: int) -> str:
    return f"bench-measure-{index:03d}"


def month_codes(count: int = MONTHS, first: tuple[int, int] = FIRST_MONTH) -> list[str]:
    year, month = first
    codes = []
    for _ in range(count):
        codes.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return codes


def framework_rows(measures: int = MEASURES) -> Iterator[list[str]]:
    """Rows in the layout of demo/framework.csv: every third measure is a percentage."""
    per_objective = max(1, measures // (PRIORITIES * OBJECTIVES_PER_PRIORITY))
    breakdowns = "; ".join(f"{code}={code.replace('-', ' ').capitalize()}" for code in BREAKDOWNS)
    for index in range(measures):
        objective = index // per_objective
        priority = min(objective // OBJECTIVES_PER_PRIORITY, PRIORITIES - 1)
        percentage = index % 3 == 2
        yield [
            f"Bench priority {priority + 1}", f"Bench objective {objective + 1}",
            measure_code(index), f"Bench measure {index}", "Generated for benchmarks.", "bench",
            "percentage" if percentage else "count", "1" if percentage else "0",
            "lower", "none" if percentage else "sum", "12-months", "1", "no", "no", "no",
            breakdowns, "", "", "",
        ]


def value_rows(
    measures: int = MEASURES, months: int = MONTHS, first_month: tuple[int, int] = FIRST_MONTH,
    shift: int = 0,
) -> Iterator[list[str]]:
    """One row per measure × area × breakdown × month; ``shift`` changes every figure."""
    codes = month_codes(months, first_month)
    for index in range(measures):
        percentage = index % 3 == 2
        code = measure_code(index)
        for area_number, area in enumerate(AREAS):
            for breakdown_number, breakdown in enumerate(BREAKDOWNS):
                for month_number, period in enumerate(codes):
                    seed = (index * 7919 + area_number * 104729 + breakdown_number * 1299709
                            + month_number * 15485863 + shift) % 1_000_003
                    if percentage:
                        value = f"{seed % 1000 / 10:.1f}"
                    else:
                        value = f"{seed % 50000:,}"  # thousands separators, as analysts type them
                    yield [code, area, breakdown, period, value, "", "", ""]


def csv_bytes(header: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--measures", type=int, default=MEASURES)
    parser.add_argument("--months", type=int, default=MONTHS)
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    (arguments.out / "framework.csv").write_bytes(
        csv_bytes(FRAMEWORK_HEADER, framework_rows(arguments.measures))
    )
    (arguments.out / "values.csv").write_bytes(
        csv_bytes(VALUE_HEADER, value_rows(arguments.measures, arguments.months))
    )
    with open(arguments.out / "values.csv", newline="", encoding="utf-8") as handle:
        count = sum(1 for _ in csv.reader(handle)) - 1
    print(f"Wrote {arguments.out}/framework.csv ({arguments.measures} measures) and values.csv ({count:,} figures)")


if __name__ == "__main__":
    main()
