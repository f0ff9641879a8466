"""A question's results read into one grid: wave × area × column, with group totals filled in.

Every reader (the entry grid, the measures fed by a survey, the report block, the export) goes
through here, so a group total that was not entered is computed from its options in one place
(surveys/statistics.group_total) and never stored twice. Two queries per question, whatever the
number of areas and waves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from surveys import statistics
from surveys.models import Option, OptionGroup, Question, ResponseBase, Result


@dataclass(frozen=True)
class Column:
    """An option or a group: one column of a question's grid."""

    code: str
    label: str
    option: Option | None = None
    group: OptionGroup | None = None

    @property
    def is_group(self) -> bool:
        return self.group is not None

    @property
    def option_codes(self) -> tuple[str, ...]:
        if self.group is None:
            return ()
        return tuple(option.code for option in self.group.options.all())


@dataclass(frozen=True)
class Cell:
    percentage: Decimal | None
    count: int | None = None
    rank: int | None = None
    note: str = ""
    computed: bool = False  # a group total worked out from its options


def columns_of(question: Question) -> list[Column]:
    """Options in order, then groups. Expects options and groups (with their options) prefetched."""
    columns = [Column(code=o.code, label=o.label, option=o) for o in question.options.all()]
    columns += [Column(code=g.code, label=g.label, group=g) for g in question.groups.all()]
    return columns


def prefetched(questions):
    """The questions with what columns_of needs, in three queries in all."""
    return questions.prefetch_related("options", "groups__options")


@dataclass
class Grid:
    """Results of one question (and segment): cells by (wave id, area id, column code)."""

    question: Question
    columns: list[Column]
    cells: dict[tuple[int, int, str], Cell]
    bases: dict[tuple[int, int], int]

    def cell(self, wave_id: int, area_id: int, code: str) -> Cell | None:
        return self.cells.get((wave_id, area_id, code))

    def base(self, wave_id: int, area_id: int) -> int | None:
        return self.bases.get((wave_id, area_id))

    def areas_with_results(self) -> set[int]:
        return {area_id for (_, area_id, _) in self.cells} | {area_id for (_, area_id) in self.bases}


def read_grid(question: Question, *, wave_ids: Iterable[int] | None = None, segment=None) -> Grid:
    """The question's results, entered and computed, for these waves (all when None)."""
    columns = columns_of(question)
    results = Result.objects.filter(question=question, segment=segment)
    bases = ResponseBase.objects.filter(question=question, segment=segment)
    if wave_ids is not None:
        wave_ids = list(wave_ids)
        results = results.filter(wave_id__in=wave_ids)
        bases = bases.filter(wave_id__in=wave_ids)
    option_codes = {column.option.pk: column.code for column in columns if column.option}
    group_codes = {column.group.pk: column.code for column in columns if column.group}
    cells: dict[tuple[int, int, str], Cell] = {}
    for row in results.values_list(
        "wave_id", "area_id", "option_id", "group_id", "percentage", "count", "rank", "note"
    ):
        wave_id, area_id, option_id, group_id, percentage, count, rank, note = row
        code = option_codes.get(option_id) if option_id else group_codes.get(group_id)
        if code is None:
            continue
        cells[(wave_id, area_id, code)] = Cell(percentage=percentage, count=count, rank=rank, note=note)
    fill_group_totals(cells, columns)
    return Grid(
        question=question,
        columns=columns,
        cells=cells,
        bases={(w, a): n for w, a, n in bases.values_list("wave_id", "area_id", "respondents")},
    )


def fill_group_totals(cells: dict[tuple[int, int, str], Cell], columns: list[Column]) -> None:
    """Add each group total that was not entered but whose options all were."""
    places = {(wave_id, area_id) for (wave_id, area_id, _) in cells}
    for column in columns:
        if not column.is_group or not column.option_codes:
            continue
        for wave_id, area_id in places:
            if (wave_id, area_id, column.code) in cells:
                continue
            parts = [cells.get((wave_id, area_id, code)) for code in column.option_codes]
            total = statistics.group_total(part.percentage if part else None for part in parts)
            if total is not None:
                cells[(wave_id, area_id, column.code)] = Cell(percentage=total, computed=True)


@dataclass(frozen=True)
class TotalProblem:
    """Figures of one area that cannot all be right; ``code`` is the column to point at."""

    code: str
    column_label: str | None  # None when the problem is the question's options as a whole
    text: str

    def message(self, area_name: str) -> str:
        if self.column_label is None:
            return f"{area_name}: {self.text}"
        return f"{area_name}, {self.column_label}: {self.text}"


def total_problems(question: Question, columns: list[Column], given: dict[str, Decimal]) -> list[TotalProblem]:
    """Check one area's percentages (by column code) against each other.

    The options of a single-choice question add up to 100% at most, give or take the rounding
    of each (statistics.rounding_tolerance); a group entered beside all its options equals their
    sum, and one entered beside some of them is not smaller than those.
    """
    problems = []
    options = [column for column in columns if not column.is_group]
    if question.options_exclusive:
        parts = [given[column.code] for column in options if column.code in given]
        total = sum(parts, Decimal(0))
        if parts and total > statistics.HUNDRED + statistics.rounding_tolerance(parts):
            first = next(column for column in options if column.code in given)
            problems.append(TotalProblem(
                code=first.code, column_label=None,
                text=f"the options add up to {_plain(total)}%, more than 100%. Each person gives "
                     "one answer to this question, so check each figure",
            ))
    for column in columns:
        if not column.is_group or column.code not in given or not column.option_codes:
            continue
        parts = [given[code] for code in column.option_codes if code in given]
        if not parts:
            continue
        total = sum(parts, Decimal(0))
        group = given[column.code]
        tolerance = statistics.rounding_tolerance([*parts, group])
        if len(parts) == len(column.option_codes):
            if abs(total - group) > tolerance:
                problems.append(TotalProblem(
                    code=column.code, column_label=column.label,
                    text=f"{_plain(group)}% does not match its options, which add up to {_plain(total)}%",
                ))
        elif total > group + tolerance:
            problems.append(TotalProblem(
                code=column.code, column_label=column.label,
                text=f"{_plain(group)}% is less than the options given for it, which add up to {_plain(total)}%",
            ))
    return problems


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}".replace("-", "\u2212")
