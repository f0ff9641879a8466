"""Import survey results from a CSV or XLSX file, all or nothing, with a dry run first.

The file has the layout the export writes (surveys/resources.py), one row per figure::

    survey, wave, question, area, segment, option, percentage, count, rank, base, note

``option`` is the code of an option or of a group of the question; ``segment`` is empty for all
respondents; ``base`` is the number who answered in that area (the same on every row of one
wave, question, area and segment). The rules are the figures importer's (data-format.md): every
row is checked and every error reported with its row and column; any error writes nothing; the
same file twice changes nothing the second time. Files are read by
measures/spreadsheets.read_table (which refuses hostile and broken files) and cells by
surveys/cells.py, as figures are, so text is never evaluated.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from measures.importing import RowError
from measures.models import Area
from measures.spreadsheets import UnreadableFile, extra_cell, read_table
from measures.widgets import Formula, unneutralise
from surveys import services
from surveys.cells import CellError, parse_count, parse_people, parse_percentage, parse_rank
from surveys.models import Question, ResponseBase, Result, Segment, Survey, Wave
from surveys.results import Column, columns_of, total_problems

__all__ = ["COLUMNS", "REQUIRED", "ImportSummary", "RowError", "import_results"]

COLUMNS = (
    "survey", "wave", "question", "area", "segment", "option",
    "percentage", "count", "rank", "base", "note",
)
REQUIRED = ("survey", "wave", "question", "area", "option")
PREVIEW_ROWS = 200


@dataclass
class ImportSummary:
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    measures_fed: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> str:
        return f"{self.new:,} new, {self.changed:,} changed, {self.unchanged:,} unchanged"


@dataclass
class _Row:
    number: int
    key: services.ResultKey
    base_key: services.BaseKey
    figure: services.Figure
    base: int | None
    question: Question
    column: Column
    area: Area


def import_results(*, source: bytes, filename: str = "", user=None, dry_run: bool = False) -> ImportSummary:
    """Check a file of survey results and, unless it is a dry run or any row is wrong, write it."""
    summary = ImportSummary(dry_run=dry_run)
    try:
        table = read_table(source, filename)
    except UnreadableFile as error:
        summary.errors.append(RowError(error.row, error.column, str(error)))
        return summary
    summary.rows = len(table.rows)
    with transaction.atomic():
        rows, bases = _check(table, summary)
        if summary.errors:
            return summary
        _preview(rows, summary)
        if dry_run or not (summary.new or summary.changed or _bases_change(bases)):
            return summary
        outcome = services.write_results(
            results={row.key: row.figure for row in rows},
            bases=bases,
            user=user,
            route="survey results import",
        )
        summary.written = True
        summary.measures_fed = outcome.measures_fed
    return summary


class _Lookups:
    """Every code the file may name, loaded once: surveys are small."""

    def __init__(self):
        self.surveys = {survey.slug: survey for survey in Survey.objects.all()}
        self.waves = {(wave.survey_id, wave.code): wave for wave in Wave.objects.all()}
        self.segments = {(s.survey_id, s.code): s for s in Segment.objects.all()}
        questions = Question.objects.prefetch_related("options", "groups__options")
        self.questions = {(q.survey_id, q.code): q for q in questions}
        self.columns = {q.pk: {c.code: c for c in columns_of(q)} for q in questions}
        self.areas = {area.code: area for area in Area.objects.all()}


def _check(table, summary: ImportSummary) -> tuple[list[_Row], dict[services.BaseKey, int]]:
    errors = summary.errors
    errors.extend(_header_errors(table.headers))
    if errors:
        return [], {}
    errors.extend(RowError(row, column, message) for row, column, message in table.problems)
    index = {name: position for position, name in enumerate(table.headers)}
    width = len(table.headers)
    lookups = _Lookups()
    rows: list[_Row] = []
    seen: dict[services.ResultKey, int] = {}
    bases: dict[services.BaseKey, int] = {}
    base_rows: dict[services.BaseKey, int] = {}

    for number, cells in table.rows:
        def cell(name: str) -> str:
            position = index.get(name)
            if position is None or position >= len(cells):
                return ""
            return cells[position]

        def error(column: str, message: str) -> None:
            errors.append(RowError(number, column, message))

        before = len(errors)
        if len(cells) > width and (extra := extra_cell(cells, width)):
            error(extra[0], f"The row has more cells than there are columns: “{extra[1][:40]}” is in "
                            f"column {extra[0]}, which has no name in the header row")
            continue
        for name in COLUMNS:
            if isinstance(cell(name), Formula):
                error(name, f"“{cell(name)}” is a spreadsheet formula: paste the values instead")
        if len(errors) > before:
            continue
        survey_code, wave_code = cell("survey").strip(), cell("wave").strip()
        question_code, area_code = cell("question").strip(), cell("area").strip()
        segment_code, option_code = cell("segment").strip(), cell("option").strip()

        survey = lookups.surveys.get(survey_code)
        if survey is None:
            error("survey", _unknown("survey", survey_code))
            continue
        wave = lookups.waves.get((survey.pk, wave_code))
        if wave is None:
            error("wave", _unknown(f"wave of {survey.name}", wave_code))
        question = lookups.questions.get((survey.pk, question_code))
        if question is None:
            error("question", _unknown(f"question of {survey.name}", question_code))
        area = lookups.areas.get(area_code)
        if area is None:
            error("area", _unknown("area", area_code))
        segment = None
        if segment_code:
            segment = lookups.segments.get((survey.pk, segment_code))
            if segment is None:
                error("segment", _unknown(f"segment of {survey.name}", segment_code))
        column = None
        if question is not None:
            column = lookups.columns[question.pk].get(option_code)
            if column is None:
                error("option", _unknown(f"option or group of the question “{question_code}”", option_code))
        figures = {}
        for name, parse in (("percentage", parse_percentage), ("count", parse_count),
                            ("rank", parse_rank), ("base", parse_people)):
            try:
                figures[name] = parse(cell(name))
            except CellError as problem:
                error(name, str(problem))
        if len(errors) > before:
            continue
        if (
            question.kind != Question.Kind.THEMES
            and figures["percentage"] is None
            and figures["count"] is None
        ):
            error("percentage", "Give a percentage, a count or both")
            continue
        if wave.status == Wave.Status.SUSPENDED:
            error("wave", f"The wave “{wave_code}” is suspended ({wave.status_reason}): it has no results")
            continue
        segment_id = segment.pk if segment else None
        key = (wave.pk, question.pk, area.pk, segment_id,
               column.option.pk if column.option else None, column.group.pk if column.group else None)
        if key in seen:
            error("option", f"Duplicate row: row {seen[key]} gives the same survey, wave, question, "
                            "area, segment and option")
            continue
        seen[key] = number
        base_key = (wave.pk, question.pk, area.pk, segment_id)
        if figures["base"] is not None:
            if base_key in bases and bases[base_key] != figures["base"]:
                error("base", f"{figures['base']:,} differs from the base {bases[base_key]:,} on row "
                              f"{base_rows[base_key]} for the same wave, question, area and segment")
                continue
            bases[base_key] = figures["base"]
            base_rows[base_key] = number
        rows.append(_Row(
            number=number, key=key, base_key=base_key, base=figures["base"],
            figure=services.Figure(
                percentage=figures["percentage"], count=figures["count"], rank=figures["rank"],
                note=unneutralise(cell("note").strip())[:300],
            ),
            question=question, column=column, area=area,
        ))
    if not errors:
        _check_totals(rows, errors)
    return rows, bases


def _check_totals(rows: list[_Row], errors: list[RowError]) -> None:
    """Options of a single-choice question add up to 100% at most; groups match their options."""
    together: dict[services.BaseKey, list[_Row]] = defaultdict(list)
    for row in rows:
        together[row.base_key].append(row)
    for same in together.values():
        question = same[0].question
        given = {row.column.code: row.figure.percentage for row in same if row.figure.percentage is not None}
        by_code = {row.column.code: row for row in same}
        for problem in total_problems(question, columns_of(question), given):
            errors.append(RowError(by_code[problem.code].number, "percentage", problem.message(same[0].area.name)))


def _preview(rows: list[_Row], summary: ImportSummary) -> None:
    wave_ids = {row.key[0] for row in rows}
    question_ids = {row.key[1] for row in rows}
    stored = {
        (r.wave_id, r.question_id, r.area_id, r.segment_id, r.option_id, r.group_id): r
        for r in Result.objects.filter(wave_id__in=wave_ids, question_id__in=question_ids)
    }
    for row in rows:
        result = stored.get(row.key)
        figure = row.figure
        if result is None:
            summary.new += 1
            continue
        before = (result.percentage, result.count, result.rank, result.note)
        after = (figure.percentage, figure.count, figure.rank, figure.note)
        if before == after:
            summary.unchanged += 1
            continue
        summary.changed += 1
        if len(summary.changes) < PREVIEW_ROWS:
            summary.changes.append(
                f"Row {row.number}: {row.area.name}, {row.column.label}: "
                f"{_shown(result.percentage)} → {_shown(figure.percentage)}"
            )


def _bases_change(bases: dict[services.BaseKey, int]) -> bool:
    if not bases:
        return False
    wave_ids = {key[0] for key in bases}
    stored = {
        (b.wave_id, b.question_id, b.area_id, b.segment_id): b.respondents
        for b in ResponseBase.objects.filter(wave_id__in=wave_ids)
    }
    return any(stored.get(key) != respondents for key, respondents in bases.items())


def _shown(percentage: Decimal | None) -> str:
    return "none" if percentage is None else f"{percentage.normalize():f}%"


def _unknown(what: str, code: str) -> str:
    if not code:
        return f"Give the {what.split(' of ')[0]} code"
    return f"No {what} has the code “{code}”"


def _header_errors(headers: list[str]) -> list[RowError]:
    errors = []
    seen = set()
    for header in headers:
        if not header:
            errors.append(RowError(1, "", "A column has no name: name it or delete it"))
        elif header in seen:
            errors.append(RowError(1, header, f"The column “{header}” appears twice"))
        elif header not in COLUMNS:
            errors.append(RowError(1, header, f"Unknown column “{header}”: the columns are {', '.join(COLUMNS)}"))
        seen.add(header)
    for column in REQUIRED:
        if column not in seen:
            errors.append(RowError(1, column, f"The column “{column}” is missing"))
    return errors
