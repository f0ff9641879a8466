"""Figures for the fault tests: a framework large enough that a worker can be killed mid-task,
and the stored results as comparable rows."""

from __future__ import annotations

from bench import generate
from measures import calculation, importing
from measures.models import Area, QualityFlag, Result, Value

# 40 measures × 6 areas × 3 breakdowns × 36 months = 25,920 figures: about a second of writing
# and a second of recalculation, each with progress recorded every batch or measure.
MEASURES = 40
MONTHS = 36
FIGURES = MEASURES * len(generate.AREAS) * len(generate.BREAKDOWNS) * MONTHS

_RESULT_FIELDS = [
    field.attname for field in Result._meta.concrete_fields if field.name not in {"id", "computed_at"}
]
_FLAG_FIELDS = [
    field.attname for field in QualityFlag._meta.concrete_fields if field.name not in {"id", "created_at", "computed_at"}
]


def load_framework() -> None:
    """The areas and the benchmark's framework (without figures), through the import service."""
    for order, code in enumerate(generate.AREAS):
        Area.objects.create(
            code=code, name=generate.AREA_NAMES[code], order=order,
            parent=Area.objects.get(code=generate.AREAS[0]) if order else None,
        )
    importing.import_measures(
        source=generate.csv_bytes(generate.FRAMEWORK_HEADER, generate.framework_rows(MEASURES)),
        filename="framework.csv",
    ).raise_for_errors()


def values_file(*, shift: int = 0) -> bytes:
    return generate.csv_bytes(generate.VALUE_HEADER, generate.value_rows(MEASURES, MONTHS, shift=shift))


def stored_results() -> list[tuple]:
    """Every result and flag, without ids and timestamps: what a recalculation decides."""
    results = sorted(Result.objects.values_list(*_RESULT_FIELDS), key=repr)
    flags = sorted(QualityFlag.objects.values_list(*_FLAG_FIELDS), key=repr)
    return results + flags


def results_from_scratch() -> list[tuple]:
    """The results an uninterrupted recalculation gives: everything deleted, then computed."""
    Result.objects.all().delete()
    QualityFlag.objects.all().delete()
    calculation.recalculate()
    return stored_results()


def stored_values() -> list[tuple]:
    return sorted(
        Value.objects.values_list("measure__code", "area__code", "breakdown__code", "period__code", "value")
    )
