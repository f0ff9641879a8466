"""Import figures and the framework from the exchange format (data-format.md), all or nothing.

One service per kind, called by every route in: the admin's preview and confirm, the Celery task,
the management commands, the demo loader and the benchmark. A run reads the file, checks every
row (collecting every error with its row and column, never stopping at the first), and only if
no row is wrong writes everything in one transaction. A dry run stops after the check.

Values are written in bulk so that a 100,000-row file takes seconds (ADR 0005): one pass over the
rows with every code looked up in a dictionary loaded once, one query per chunk of measures to
load the figures already stored, ``bulk_create`` for new figures and one set-based UPDATE per
batch for changed ones. Nothing here issues a query per row.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import getpass
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from measures import periods
from measures.arithmetic import Polarity
from measures.models import Area, Breakdown, Measure, Objective, Period, Priority, Value
from measures.presenters import Unit
from measures.spreadsheets import Table, UnreadableFile, extra_cell, read_table
from measures.widgets import (
    CellError,
    Formula,
    format_figure,
    normalise_newlines,
    parse_figure,
    parse_flag,
    parse_period_code,
    unneutralise,
)
from pccsite.audit import audit_context

__all__ = [
    "FRAMEWORK_COLUMNS",
    "VALUE_COLUMNS",
    "ImportRejected",
    "ImportSummary",
    "RowError",
    "file_sha256",
    "import_measures",
    "import_values",
    "read_table",
]

VALUE_COLUMNS = ("measure", "area", "breakdown", "period", "value", "numerator", "denominator", "note")
VALUE_REQUIRED = ("measure", "area", "period", "value")
FRAMEWORK_COLUMNS = (
    "priority", "objective", "code", "name", "definition", "source", "unit", "decimals",
    "polarity", "aggregation", "comparison", "band", "new", "headline", "districts_sum",
    "breakdowns", "numerator", "denominator", "factor",
)
FRAMEWORK_REQUIRED = (
    "priority", "objective", "code", "name", "unit", "polarity", "aggregation", "comparison",
)

# Rows per query that loads stored figures (CHUNK_ROWS) and per INSERT or UPDATE (WRITE_BATCH):
# a 100,000-row file takes a few dozen statements, and a statement's queue of foreign-key checks
# stays short (see _constraints_checked_per_statement).
CHUNK_ROWS = 5000
WRITE_BATCH = 2000
PREVIEW_CHANGES = 200

Progress = Callable[[int, int, str], None]


# Results ---------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: the spreadsheet row (the header is row 1; 0 is the file), column, message."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = "File" if self.row == 0 else f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Change:
    """A changed row, as the preview lists it."""

    row: int
    label: str
    before: str
    after: str


@dataclass
class ImportSummary:
    """What an import found, and whether it wrote anything."""

    kind: str  # "values" or "measures"
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    measure_ids: set[int] = field(default_factory=set)
    job_id: int | None = None  # the recalculation job the write queued

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> str:
        return f"{self.new:,} new, {self.changed:,} changed, {self.unchanged:,} unchanged"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "rows": self.rows, "new": self.new, "changed": self.changed,
            "unchanged": self.unchanged, "written": self.written,
            "errors": [str(error) for error in self.errors[:50]], "error_count": len(self.errors),
            "notes": self.notes, "recalculation_job": self.job_id,
        }

    def raise_for_errors(self) -> None:
        if self.errors:
            raise ImportRejected(self.errors)


class ImportRejected(Exception):
    """A file with errors: nothing was written. ``str()`` lists the first errors."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        shown = "\n".join(str(error) for error in errors[:20])
        more = f"\n… and {len(errors) - 20:,} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors):,} error{'s' if len(errors) != 1 else ''}; nothing was imported:\n{shown}{more}")


# Reading files (measures/spreadsheets.py) -------------------------------------------------------


def file_sha256(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()


def _unreadable(kind: str, error: UnreadableFile, dry_run: bool) -> ImportSummary:
    return ImportSummary(kind=kind, dry_run=dry_run, errors=[RowError(error.row, error.column, str(error))])


def _table_problems(table: Table) -> list[RowError]:
    return [RowError(row, column, message) for row, column, message in table.problems]


def _extra_cell_error(number: int, cells: list[str], width: int) -> RowError | None:
    extra = extra_cell(cells, width)
    if extra is None:
        return None
    letter, text = extra
    return RowError(number, letter, (
        f"The row has more cells than there are columns: “{_short(text, 40)}” is in column "
        f"{letter}, which has no name in the header row"
    ))


# Values: checking ------------------------------------------------------------------------------

_ABSENT = object()  # a column the file does not have: its stored contents are left alone


@dataclass
class _ValuesPlan:
    summary: ImportSummary
    # (measure_id, area_id, breakdown_id, period_code, value, numerator, denominator, note)
    new_rows: list[tuple] = field(default_factory=list)
    # (value_id, value, numerator, denominator, note): every field, absent ones kept as stored
    changed_rows: list[tuple] = field(default_factory=list)
    period_codes: set[str] = field(default_factory=set)


def _header_errors(headers: list[str], known: tuple[str, ...], required: tuple[str, ...]) -> list[RowError]:
    errors = []
    seen = set()
    for header in headers:
        if not header:
            errors.append(RowError(1, "", "A column has no name: name it or delete it"))
        elif header in seen:
            errors.append(RowError(1, header, f"The column “{header}” appears twice"))
        elif header not in known:
            errors.append(RowError(
                1, header, f"Unknown column “{header}”: the columns are {', '.join(known)}"
            ))
        seen.add(header)
    for column in required:
        if column not in seen:
            errors.append(RowError(1, column, f"The column “{column}” is missing"))
    return errors


def _by_code(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Codes as typed and in lower case, so that the exact spelling is one dictionary lookup."""
    found = {}
    for code, item in pairs:
        found.setdefault(code.lower(), item)
        found[code] = item
    return found


def _suggest(typed: str, codes: Iterable[str]) -> str:
    close = difflib.get_close_matches(typed.lower(), list(codes), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def _check_values(table: Table, *, progress: Progress | None = None) -> _ValuesPlan:
    summary = ImportSummary(kind="values", rows=len(table.rows))
    plan = _ValuesPlan(summary=summary)
    errors = summary.errors
    errors.extend(_header_errors(table.headers, VALUE_COLUMNS, VALUE_REQUIRED))
    if errors:
        return plan
    errors.extend(_table_problems(table))
    column = {name: index for index, name in enumerate(table.headers)}
    width = len(table.headers)
    i_measure, i_area, i_period, i_value = (column[name] for name in VALUE_REQUIRED)
    i_breakdown = column.get("breakdown")
    i_numerator = column.get("numerator")
    i_denominator = column.get("denominator")
    i_note = column.get("note")

    # Every lookup loaded once: the framework is small next to the figures.
    measures = _by_code(
        (code, (pk, unit)) for pk, code, unit in Measure.objects.values_list("pk", "code", "unit")
    )
    measure_codes = {pk: code for pk, code in Measure.objects.values_list("pk", "code")}
    areas = _by_code(Area.objects.values_list("code", "pk"))
    area_codes = {pk: code for code, pk in Area.objects.values_list("code", "pk")}
    breakdowns: dict[tuple[int, str], int] = {}
    breakdown_codes: dict[int, str] = {}
    breakdowns_of: dict[int, list[str]] = defaultdict(list)
    for pk, measure_id, code in Breakdown.objects.values_list("pk", "measure_id", "code"):
        breakdowns[(measure_id, code)] = pk
        breakdowns.setdefault((measure_id, code.lower()), pk)
        breakdown_codes[pk] = code
        breakdowns_of[measure_id].append(code)
    period_cache: dict[str, str | CellError] = {}
    percentage, proportions = Unit.PERCENTAGE.value, {Unit.PERCENTAGE.value, Unit.RATE.value}

    seen: dict[tuple, int] = {}
    parsed: list[tuple] = []
    total = len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        elif len(cells) > width and (extra := _extra_cell_error(number, cells, width)):
            errors.append(extra)
            continue
        row_ok = True

        text = cells[i_measure]
        measure = measures.get(text) or measures.get(text.strip().lower())
        if measure is None:
            row_ok = False
            typed = text.strip()
            errors.append(RowError(number, "measure", (
                f"Unknown measure “{typed}”{_suggest(typed, measure_codes.values())}"
                if typed else "The measure code is empty"
            )))
        text = cells[i_area]
        area_id = areas.get(text) or areas.get(text.strip().lower())
        if area_id is None:
            row_ok = False
            typed = text.strip()
            errors.append(RowError(number, "area", (
                f"Unknown area “{typed}”{_suggest(typed, area_codes.values())}"
                if typed else "The area code is empty"
            )))
        breakdown_id = None
        if i_breakdown is not None:
            text = cells[i_breakdown]
            if text.strip() and measure is not None:
                breakdown_id = breakdowns.get((measure[0], text)) or breakdowns.get(
                    (measure[0], text.strip().lower())
                )
                if breakdown_id is None:
                    row_ok = False
                    known = breakdowns_of.get(measure[0])
                    errors.append(RowError(number, "breakdown", (
                        f"Measure {measure_codes[measure[0]]} has no breakdown “{text.strip()}”"
                        + (f": its breakdowns are {', '.join(known)}" if known else ": it has none")
                    )))
        text = cells[i_period]
        period_code = period_cache.get(text)
        if period_code is None:
            try:
                period_code = parse_period_code(text)
            except CellError as error:
                period_code = error
            period_cache[text] = period_code
        if type(period_code) is CellError:
            row_ok = False
            errors.append(RowError(number, "period", str(period_code)))

        try:
            value, percent = parse_figure(cells[i_value])
        except CellError as error:
            row_ok = False
            errors.append(RowError(number, "value", str(error)))
        else:
            if measure is not None:
                unit = measure[1]
                if percent and unit not in proportions:
                    row_ok = False
                    errors.append(RowError(number, "value", (
                        f"“{cells[i_value].strip()}” has a % sign, but measure "
                        f"{measure_codes[measure[0]]} is a {unit}, not a percentage"
                    )))
                elif unit == percentage and value is not None and not 0 <= value <= 100:
                    row_ok = False
                    errors.append(RowError(number, "value", (
                        f"“{cells[i_value].strip()}” is outside 0–100: measure "
                        f"{measure_codes[measure[0]]} is a percentage"
                    )))
        numerator = denominator = _ABSENT
        for index, name in ((i_numerator, "numerator"), (i_denominator, "denominator")):
            if index is None:
                continue
            try:
                count, percent = parse_figure(cells[index])
            except CellError as error:
                row_ok = False
                errors.append(RowError(number, name, str(error)))
                continue
            if percent:
                row_ok = False
                errors.append(RowError(
                    number, name, f"“{cells[index].strip()}” has a % sign: a {name} is a count"
                ))
            if name == "numerator":
                numerator = count
            else:
                denominator = count
        note = _ABSENT
        if i_note is not None:
            note = normalise_newlines(unneutralise(str(cells[i_note])))
            if isinstance(cells[i_note], Formula):
                row_ok = False
                errors.append(RowError(
                    number, "note", f"“{cells[i_note]}” is a spreadsheet formula: paste the text instead"
                ))

        if row_ok:
            key = (measure[0], area_id, breakdown_id, period_code)
            first = seen.get(key)
            if first is not None:
                errors.append(RowError(number, "", (
                    f"Duplicate of row {first}: the same measure, area, breakdown and period"
                )))
            else:
                seen[key] = number
                parsed.append((number, key, value, numerator, denominator, note))
        if progress is not None and done % CHUNK_ROWS == 0:
            progress(done, total, f"Checked {done:,} of {total:,} rows")

    if errors:
        summary.errors.sort()
        return plan

    _classify(plan, parsed, measure_codes, area_codes, breakdown_codes)
    return plan


def _classify(plan: _ValuesPlan, parsed: list[tuple], measure_codes, area_codes, breakdown_codes):
    """Sort valid rows into new, changed and unchanged, loading stored figures a chunk at a time."""
    summary = plan.summary
    plan.period_codes = {key[3] for _, key, *_ in parsed}
    period_ids = dict(Period.objects.filter(code__in=plan.period_codes).values_list("code", "pk"))

    # Chunks of whole measures: each chunk's stored figures come in one query.
    by_measure: dict[int, list[tuple]] = defaultdict(list)
    for row in parsed:
        by_measure[row[1][0]].append(row)
    chunks: list[list[tuple]] = [[]]
    for rows in by_measure.values():
        if chunks[-1] and len(chunks[-1]) + len(rows) > CHUNK_ROWS:
            chunks.append([])
        chunks[-1].extend(rows)

    for chunk in chunks:
        wanted_periods = {period_ids[key[3]] for _, key, *_ in chunk if key[3] in period_ids}
        stored = {}
        if wanted_periods:
            for pk, measure_id, area_id, breakdown_id, period_id, value, numerator, denominator, note in (
                Value.objects.filter(
                    measure_id__in={key[0] for _, key, *_ in chunk}, period_id__in=wanted_periods
                )
                .order_by()
                .values_list(
                    "pk", "measure_id", "area_id", "breakdown_id", "period_id",
                    "value", "numerator", "denominator", "note",
                )
            ):
                stored[(measure_id, area_id, breakdown_id, period_id)] = (
                    pk, value, numerator, denominator, note
                )
        for number, key, value, numerator, denominator, note in chunk:
            period_id = period_ids.get(key[3])
            existing = stored.get((key[0], key[1], key[2], period_id)) if period_id else None
            if existing is None:
                plan.new_rows.append((
                    *key, value,
                    None if numerator is _ABSENT else numerator,
                    None if denominator is _ABSENT else denominator,
                    "" if note is _ABSENT else note,
                ))
                summary.measure_ids.add(key[0])
                continue
            pk, old_value, old_numerator, old_denominator, old_note = existing
            # A note typed in the admin keeps the browser's "\r\n"; the same note from a file is
            # the same note.
            old_note = normalise_newlines(old_note)
            new = (
                value,
                old_numerator if numerator is _ABSENT else numerator,
                old_denominator if denominator is _ABSENT else denominator,
                old_note if note is _ABSENT else note,
            )
            if new == (old_value, old_numerator, old_denominator, old_note):
                summary.unchanged += 1
                continue
            plan.changed_rows.append((pk, *new))
            summary.measure_ids.add(key[0])
            if len(summary.changes) < PREVIEW_CHANGES:
                summary.changes.append(_describe_change(
                    number, key, (old_value, old_numerator, old_denominator, old_note), new,
                    measure_codes, area_codes, breakdown_codes,
                ))
    summary.new = len(plan.new_rows)
    summary.changed = len(plan.changed_rows)


def _describe_change(number, key, old, new, measure_codes, area_codes, breakdown_codes) -> Change:
    measure_id, area_id, breakdown_id, period_code = key
    label = " ".join(
        part for part in (
            measure_codes[measure_id], area_codes[area_id],
            breakdown_codes.get(breakdown_id, ""), period_code,
        ) if part
    )
    names = ("value", "numerator", "denominator", "note")
    before, after = [], []
    for name, old_part, new_part in zip(names, old, new):
        if old_part != new_part:
            if name == "note":
                before.append(f"note “{_short(old_part)}”")
                after.append(f"note “{_short(new_part)}”")
            else:
                shown_old = format_figure(old_part) or "not available"
                shown_new = format_figure(new_part) or "not available"
                prefix = "" if name == "value" else f"{name} "
                before.append(prefix + shown_old)
                after.append(prefix + shown_new)
    return Change(number, label, "; ".join(before), "; ".join(after))


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


# Values: writing -------------------------------------------------------------------------------


def _write_values(plan: _ValuesPlan, *, user, progress: Progress | None) -> None:
    with _constraints_checked_per_statement():
        _write_rows(plan, user=user, progress=progress)


@contextlib.contextmanager
def _constraints_checked_per_statement():
    """Check foreign keys at the end of each statement instead of at commit, while writing.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so every row written queues its
    checks until commit, and pghistory's row trigger (which runs statements of its own for
    each row) makes PostgreSQL go over that growing queue again and again: a 100,000-row import
    took minutes instead of seconds. Checked per statement, with statements of a few hundred
    rows, the queue stays short. Every code was looked up before writing, so no check fails.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _write_rows(plan: _ValuesPlan, *, user, progress: Progress | None) -> None:
    total = len(plan.new_rows) + len(plan.changed_rows)
    done = 0
    period_ids = {code: period.pk for code, period in Period.objects.for_codes(plan.period_codes).items()}
    user_id = user.pk if user is not None else None
    now = timezone.now()
    for start in range(0, len(plan.new_rows), WRITE_BATCH):
        batch = plan.new_rows[start:start + WRITE_BATCH]
        _insert_values(batch, period_ids=period_ids, user_id=user_id, now=now)
        done += len(batch)
        if progress is not None:
            progress(done, total, f"Wrote {done:,} of {total:,} figures")
    for start in range(0, len(plan.changed_rows), WRITE_BATCH):
        batch = plan.changed_rows[start:start + WRITE_BATCH]
        _update_values(batch, user_id=user_id, now=now)
        done += len(batch)
        if progress is not None:
            progress(done, total, f"Wrote {done:,} of {total:,} figures")


_INSERT_COLUMNS = (
    ("measure_id", "bigint"), ("area_id", "bigint"), ("breakdown_id", "bigint"),
    ("period_id", "bigint"), ("value", "numeric"), ("numerator", "numeric"),
    ("denominator", "numeric"), ("note", "text"),
)


def _insert_values(batch: list[tuple], *, period_ids: dict[str, int], user_id, now) -> None:
    """New figures, one statement per batch.

    On PostgreSQL this is the statement Django's ``bulk_create`` sends there (``INSERT … SELECT
    FROM UNNEST(arrays)``), built from the rows' columns without a model instance per row,
    which on 100,000 rows costs more than the insert itself. Elsewhere, ``bulk_create``.
    """
    if connection.vendor != "postgresql":
        Value.objects.bulk_create([
            Value(
                measure_id=measure_id, area_id=area_id, breakdown_id=breakdown_id,
                period_id=period_ids[period_code], value=value, numerator=numerator,
                denominator=denominator, note=note, entered_by_id=user_id, updated_at=now,
            )
            for measure_id, area_id, breakdown_id, period_code, value, numerator, denominator, note
            in batch
        ])
        return
    columns = [list(column) for column in zip(*batch)]
    columns[3] = [period_ids[code] for code in columns[3]]
    table = connection.ops.quote_name(Value._meta.db_table)
    names = ", ".join(name for name, _ in _INSERT_COLUMNS)
    arrays = ", ".join(f"%s::{kind}[]" for _, kind in _INSERT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}, source, entered_by_id, updated_at) "
            f"SELECT *, '', %s::integer, %s::timestamptz FROM UNNEST({arrays})",
            [user_id, now, *columns],
        )


def _update_values(batch: list[tuple], *, user_id: int | None, now: datetime.datetime) -> None:
    """Changed figures, one set-based statement per batch: ``UPDATE … FROM UNNEST(arrays)``.

    pghistory's row trigger still records each changed row, with the import's context.
    """
    if connection.vendor != "postgresql":
        objects = [
            Value(pk=pk, value=value, numerator=numerator, denominator=denominator, note=note,
                  entered_by_id=user_id, updated_at=now)
            for pk, value, numerator, denominator, note in batch
        ]
        Value.objects.bulk_update(
            objects, ["value", "numerator", "denominator", "note", "entered_by_id", "updated_at"],
            batch_size=500,
        )
        return
    table = connection.ops.quote_name(Value._meta.db_table)
    ids, values, numerators, denominators, notes = (list(column) for column in zip(*batch))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS v SET value = k.value, numerator = k.numerator, "
            "denominator = k.denominator, note = k.note, entered_by_id = %s, updated_at = %s "
            "FROM UNNEST(%s::bigint[], %s::numeric[], %s::numeric[], %s::numeric[], %s::text[]) "
            "AS k (id, value, numerator, denominator, note) WHERE v.id = k.id",
            [user_id, now, ids, values, numerators, denominators, notes],
        )


def _lock(name: str) -> None:
    """Imports of one kind run one at a time, so two never race to create the same figure."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"measures.import.{name}"])


def _audit(user, username: str | None):
    if username is None:
        username = user.get_username() if user is not None else f"{getpass.getuser()} (command line)"
    return audit_context(user=user.pk if user is not None else None, username=username, source="import")


def _request_recalculation(measure_ids: set[int], user) -> int | None:
    # Imported lazily: recalculation imports the calculation engine, which the import never needs.
    from measures.recalculation import request_recalculation

    job = request_recalculation(measure_ids, user=user)
    return job.pk if job is not None else None


def import_values(
    *,
    source: bytes,
    filename: str = "",
    user=None,
    username: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check a file of figures and, unless it is a dry run or any row is wrong, write it all.

    ``user`` is recorded as the figures' ``entered_by`` and, with ``username``, in the audit
    trail. Returns the summary; its ``errors`` list every row error when nothing was written.
    """
    try:
        table = read_table(source, filename)
    except UnreadableFile as error:
        return _unreadable("values", error, dry_run)
    if dry_run:
        plan = _check_values(table, progress=progress)
        plan.summary.dry_run = True
        return plan.summary
    with transaction.atomic():
        _lock("values")
        with _audit(user, username):
            plan = _check_values(table, progress=progress)
            summary = plan.summary
            if summary.errors or not (plan.new_rows or plan.changed_rows):
                return summary
            _write_values(plan, user=user, progress=progress)
            summary.written = True
            summary.job_id = _request_recalculation(summary.measure_ids, user)
    return summary


# The framework ---------------------------------------------------------------------------------

_SLUG = re.compile(r"[-a-zA-Z0-9_]+", re.ASCII)
_UNITS = {unit.value for unit in Unit}
_POLARITIES = {polarity.value for polarity in Polarity}
_AGGREGATIONS = {choice.value for choice in Measure.Aggregation}
_BASES = {basis.value for basis in periods.Basis}


@dataclass
class _MeasureRow:
    number: int
    priority: str
    objective: str
    code: str
    fields: dict[str, Any]
    breakdowns: list[tuple[str, str]]  # (code, label) in order
    formula: tuple[str, str, Decimal] | None  # (numerator code, denominator code, factor)


def format_breakdowns(pairs: Iterable[tuple[str, str]]) -> str:
    return "; ".join(f"{code}={label}" for code, label in pairs)


def _parse_breakdowns(text: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        code, equals, label = part.partition("=")
        code, label = code.strip(), label.strip()
        if not equals or not code or not label:
            raise CellError(f"“{part.strip()}” should be code=Label, for example cohort-1=Cohort 1")
        if not _SLUG.fullmatch(code) or len(code) > 80:
            raise CellError(f"“{code}” is not a code: use letters, digits and hyphens")
        if len(label) > 200:
            raise CellError(f"The label of {code} is longer than 200 characters")
        if code.lower() in {existing.lower() for existing, _ in pairs}:
            raise CellError(f"The breakdown {code} is listed twice")
        pairs.append((code, label))
    return pairs


def _choice(text: str, choices: set[str], what: str) -> str:
    word = text.strip().lower()
    if not word:
        raise CellError(f"The {what} is empty: use one of {', '.join(sorted(choices))}")
    if word not in choices:
        raise CellError(f"“{text.strip()}” is not a {what}: use one of {', '.join(sorted(choices))}")
    return word


def _check_measures(table: Table) -> tuple[ImportSummary, list[_MeasureRow], dict]:
    summary = ImportSummary(kind="measures", rows=len(table.rows))
    errors = summary.errors
    errors.extend(_header_errors(table.headers, FRAMEWORK_COLUMNS, FRAMEWORK_REQUIRED))
    if errors:
        return summary, [], {}
    errors.extend(_table_problems(table))
    column = {name: index for index, name in enumerate(table.headers)}
    width = len(table.headers)

    rows: list[_MeasureRow] = []
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        elif len(cells) > width and (extra := _extra_cell_error(number, cells, width)):
            errors.append(extra)
            continue

        def cell(name: str) -> str:
            index = column.get(name)
            if index is None:
                return ""
            value = cells[index]
            if isinstance(value, Formula):
                raise CellError(f"“{value}” is a spreadsheet formula: type the text instead")
            return unneutralise(value).strip()

        def raw(name: str) -> str:
            index = column.get(name)
            return "" if index is None else str(cells[index]).strip()

        row_errors: list[RowError] = []

        def read(name: str, parse: Callable[[str], Any], default: Any = None) -> Any:
            try:
                text = cell(name)
                return parse(text) if text or default is None else default
            except CellError as error:
                row_errors.append(RowError(number, name, str(error)))
                return None

        def text_of(name: str, *, limit: int, required: bool = False) -> str:
            def parse(text: str) -> str:
                if required and not text:
                    raise CellError(f"The {name} is empty")
                if len(text) > limit:
                    raise CellError(f"The {name} is longer than {limit} characters")
                return text

            return read(name, parse) or ""

        priority = text_of("priority", limit=200, required=True)
        objective = text_of("objective", limit=300, required=True)

        def parse_code(text: str) -> str:
            if not text:
                raise CellError("The code is empty")
            if not _SLUG.fullmatch(text) or len(text) > 80:
                raise CellError(f"“{text}” is not a code: use letters, digits and hyphens")
            return text

        code = read("code", parse_code)
        if code is not None:
            if code.lower() in first_row:
                row_errors.append(RowError(
                    number, "code", f"The code {code} is already used on row {first_row[code.lower()]}"
                ))
            else:
                first_row[code.lower()] = number
        fields = {
            "name": text_of("name", limit=300, required=True),
            "definition": text_of("definition", limit=100_000),
            "source": text_of("source", limit=200),
            "unit": read("unit", lambda text: _choice(text, _UNITS, "unit")),
            "decimals": read("decimals", _parse_decimals, default=0),
            "polarity": read("polarity", lambda text: _choice(text, _POLARITIES, "polarity")),
            "aggregation": read(
                "aggregation", lambda text: _choice(text, _AGGREGATIONS, "way to aggregate")
            ),
            "comparison": read(
                "comparison", lambda text: _choice(text, _BASES, "comparison basis")
            ),
            "band": read("band", _parse_band, default=Decimal(1)),
            "is_new": read("new", parse_flag, default=False),
            "is_headline": read("headline", parse_flag, default=False),
            "districts_sum": read("districts_sum", parse_flag, default=False),
        }
        breakdowns = read("breakdowns", _parse_breakdowns, default=[]) or []
        numerator = read("numerator", _parse_measure_code, default="") or ""
        denominator = read("denominator", _parse_measure_code, default="") or ""
        factor = read("factor", _parse_factor, default=None) if raw("factor") else None
        formula = None
        if numerator or denominator or factor is not None:
            if not (numerator and denominator and factor is not None):
                row_errors.append(RowError(number, "factor" if numerator and denominator else (
                    "denominator" if numerator else "numerator"
                ), "A formula needs all three of numerator, denominator and factor"))
            elif code is not None and code.lower() in {numerator.lower(), denominator.lower()}:
                row_errors.append(RowError(number, "numerator", "A measure cannot be computed from itself"))
            else:
                formula = (numerator, denominator, factor)
        if row_errors or code is None:
            errors.extend(row_errors)
            continue
        rows.append(_MeasureRow(number, priority, objective, code, fields, breakdowns, formula))

    # Formulas may name measures later in the file, or already stored.
    stored = _by_code(Measure.objects.values_list("code", "pk"))
    in_file = {row.code.lower() for row in rows}
    for row in rows:
        if row.formula is None:
            continue
        for name, code in zip(("numerator", "denominator"), row.formula[:2]):
            if code.lower() not in in_file and code not in stored and code.lower() not in stored:
                errors.append(RowError(row.number, name, f"Unknown measure “{code}”"))
    return summary, rows, stored


def _parse_measure_code(text: str) -> str:
    if not _SLUG.fullmatch(text):
        raise CellError(f"“{text}” is not a measure code")
    return text


def _parse_decimals(text: str) -> int:
    if not re.fullmatch(r"\d{1,2}", text) or int(text) > 6:
        raise CellError(f"“{text}” is not a number of decimal places from 0 to 6")
    return int(text)


def _parse_band(text: str) -> Decimal:
    number, percent = parse_figure(text)
    if number is None or number < 0 or number >= 100_000 or number != number.quantize(Decimal("0.001")):
        raise CellError(f"“{text}” is not a band: a number from 0 with at most 3 decimals")
    return number


def _parse_factor(text: str) -> Decimal:
    number, percent = parse_figure(text)
    if number is None or number <= 0 or number >= 10**9 or number != number.quantize(Decimal("0.001")):
        raise CellError(f"“{text}” is not a factor: a positive number such as 100 or 1000")
    return number


def _measure_snapshot(measure: Measure, breakdowns: list[tuple[str, str]], codes: dict[int, str]) -> tuple:
    formula = None
    if measure.numerator_id is not None:
        formula = (codes[measure.numerator_id], codes[measure.denominator_id], measure.factor)
    return (
        measure.objective.priority.name, measure.objective.name,
        tuple((name, getattr(measure, name)) for name in _MEASURE_FIELDS),
        tuple(breakdowns), formula,
    )


_MEASURE_FIELDS = (
    "name", "definition", "source", "unit", "decimals", "polarity", "aggregation", "comparison",
    "band", "is_new", "is_headline", "districts_sum",
)


def import_measures(
    *,
    source: bytes,
    filename: str = "",
    user=None,
    username: str | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Check a framework file and, unless it is a dry run or any row is wrong, write it all.

    Creates or updates priorities, objectives, measures and their breakdowns. A measure's
    formula may name a measure later in the file. Orders of existing rows are kept, so that a
    round trip changes nothing; new ones go after their siblings.
    """
    try:
        table = read_table(source, filename)
    except UnreadableFile as error:
        return _unreadable("measures", error, dry_run)
    if dry_run:
        summary, rows, _ = _check_measures(table)
        if not summary.errors:
            _plan_measures(summary, rows)
        summary.dry_run = True
        return summary
    with transaction.atomic():
        _lock("measures")
        with _audit(user, username):
            summary, rows, _ = _check_measures(table)
            if summary.errors:
                return summary
            plan = _plan_measures(summary, rows)
            if summary.errors or not (summary.new or summary.changed):
                return summary
            _write_measures(plan)
            summary.written = True
            summary.job_id = _request_recalculation(summary.measure_ids, user)
    return summary


@dataclass
class _MeasuresPlan:
    rows: list[_MeasureRow]
    existing: dict[str, Measure]  # by lower-case code
    breakdowns: dict[int, list[Breakdown]]
    touched: list[_MeasureRow]


def _plan_measures(summary: ImportSummary, rows: list[_MeasureRow]) -> _MeasuresPlan:
    existing = {
        measure.code.lower(): measure
        for measure in Measure.objects.select_related("objective__priority")
    }
    codes = {measure.pk: measure.code for measure in existing.values()}
    stored_breakdowns: dict[int, list[Breakdown]] = defaultdict(list)
    for breakdown in Breakdown.objects.order_by("measure_id", "order", "code"):
        stored_breakdowns[breakdown.measure_id].append(breakdown)
    # Only breakdowns the file drops need checking for figures: one query, however many figures.
    dropped = [
        breakdown.pk
        for row in rows
        if (measure := existing.get(row.code.lower())) is not None
        for breakdown in stored_breakdowns.get(measure.pk, [])
        if breakdown.code.lower() not in {code.lower() for code, _ in row.breakdowns}
    ]
    with_values = set(
        Value.objects.filter(breakdown_id__in=dropped).values_list("breakdown_id", flat=True).distinct()
    ) if dropped else set()
    plan = _MeasuresPlan(rows=rows, existing=existing, breakdowns=stored_breakdowns, touched=[])
    in_file_codes = {row.code.lower(): row.code for row in rows}
    for row in rows:
        measure = existing.get(row.code.lower())
        if measure is None:
            summary.new += 1
            plan.touched.append(row)
            summary.changes.append(Change(row.number, row.code, "", "new measure"))
            continue
        breakdowns = stored_breakdowns.get(measure.pk, [])
        wanted = {code.lower() for code, _ in row.breakdowns}
        for breakdown in breakdowns:
            if breakdown.code.lower() not in wanted and breakdown.pk in with_values:
                summary.errors.append(RowError(row.number, "breakdowns", (
                    f"The breakdown {breakdown.code} has figures, so it cannot be removed: "
                    "add it back to the list"
                )))
        before = _measure_snapshot(measure, [(b.code, b.label) for b in breakdowns], codes)
        formula = row.formula
        if formula is not None:
            # Compare codes as stored, whatever their case in the file.
            formula = (
                _stored_code(formula[0], existing, in_file_codes),
                _stored_code(formula[1], existing, in_file_codes),
                formula[2],
            )
        after = (
            row.priority, row.objective, tuple((name, row.fields[name]) for name in _MEASURE_FIELDS),
            tuple(row.breakdowns), formula,
        )
        if before == after:
            summary.unchanged += 1
        else:
            summary.changed += 1
            summary.measure_ids.add(measure.pk)
            plan.touched.append(row)
            if len(summary.changes) < PREVIEW_CHANGES:
                summary.changes.append(Change(row.number, row.code, *_describe_measure(before, after)))
    summary.errors.sort()
    new_priorities = {row.priority for row in rows} - set(Priority.objects.values_list("name", flat=True))
    if new_priorities:
        summary.notes.append(f"{len(new_priorities)} new priorit{'ies' if len(new_priorities) != 1 else 'y'}")
    stored_objectives = set(Objective.objects.values_list("priority__name", "name"))
    new_objectives = {(row.priority, row.objective) for row in rows} - stored_objectives
    if new_objectives:
        summary.notes.append(f"{len(new_objectives)} new objective{'s' if len(new_objectives) != 1 else ''}")
    return plan


def _stored_code(code: str, existing: dict[str, Measure], in_file: dict[str, str]) -> str:
    if code.lower() in in_file:
        return in_file[code.lower()]
    return existing[code.lower()].code


def _describe_measure(before: tuple, after: tuple) -> tuple[str, str]:
    labels = ("priority", "objective", None, "breakdowns", "formula")
    old, new = [], []
    for label, old_part, new_part in zip(labels, before, after):
        if old_part == new_part:
            continue
        if label is None:
            for (name, old_value), (_, new_value) in zip(old_part, new_part):
                if old_value != new_value:
                    old.append(f"{name} {_short(str(old_value), 40)}")
                    new.append(f"{name} {_short(str(new_value), 40)}")
        elif label == "breakdowns":
            old.append(f"breakdowns {format_breakdowns(old_part) or 'none'}")
            new.append(f"breakdowns {format_breakdowns(new_part) or 'none'}")
        elif label == "formula":
            old.append(f"formula {_formula_text(old_part)}")
            new.append(f"formula {_formula_text(new_part)}")
        else:
            old.append(f"{label} {_short(old_part, 40)}")
            new.append(f"{label} {_short(new_part, 40)}")
    return "; ".join(old), "; ".join(new)


def _formula_text(formula) -> str:
    if formula is None:
        return "none"
    return f"{formula[0]} ÷ {formula[1]} × {format_figure(formula[2])}"


def _write_measures(plan: _MeasuresPlan) -> None:
    priorities = {priority.name: priority for priority in Priority.objects.all()}
    next_priority_order = (Priority.objects.aggregate(top=Max("order"))["top"] or 0) + 1
    objectives = {
        (objective.priority.name, objective.name): objective
        for objective in Objective.objects.select_related("priority")
    }
    next_order: dict[Any, int] = {}

    def following(key, queryset) -> int:
        if key not in next_order:
            next_order[key] = (queryset.aggregate(top=Max("order"))["top"] or 0) + 1
        else:
            next_order[key] += 1
        return next_order[key]

    for row in plan.rows:
        if row.priority not in priorities:
            priorities[row.priority] = Priority.objects.create(
                name=row.priority, slug=_unique_slug(row.priority), order=next_priority_order
            )
            next_priority_order += 1
        if (row.priority, row.objective) not in objectives:
            priority = priorities[row.priority]
            objectives[(row.priority, row.objective)] = Objective.objects.create(
                priority=priority, name=row.objective,
                order=following(("priority", priority.pk), priority.objectives.all()),
            )

    measures: dict[str, Measure] = dict(plan.existing)
    for row in plan.touched:
        objective = objectives[(row.priority, row.objective)]
        measure = measures.get(row.code.lower())
        if measure is None:
            measure = Measure(
                code=row.code, objective=objective, **row.fields,
                order=following(("objective", objective.pk), objective.measures.all()),
            )
            measure.save()
            measures[row.code.lower()] = measure
        else:
            measure.objective = objective
            for name, value in row.fields.items():
                setattr(measure, name, value)
            measure.save()
        _write_breakdowns(measure, row.breakdowns, plan.breakdowns.get(measure.pk, []))
    for row in plan.touched:
        measure = measures[row.code.lower()]
        if row.formula is None:
            numerator = denominator = factor = None
        else:
            numerator = measures[row.formula[0].lower()]
            denominator = measures[row.formula[1].lower()]
            factor = row.formula[2]
        if (measure.numerator_id, measure.denominator_id, measure.factor) != (
            numerator.pk if numerator else None, denominator.pk if denominator else None, factor
        ):
            Measure.objects.filter(pk=measure.pk).update(
                numerator=numerator, denominator=denominator, factor=factor
            )


def _write_breakdowns(measure: Measure, wanted: list[tuple[str, str]], stored: list[Breakdown]) -> None:
    """The measure's breakdowns become the file's list, in its order (checked: none removed has figures)."""
    if [(b.code, b.label) for b in stored] == wanted:
        return
    by_code = {breakdown.code.lower(): breakdown for breakdown in stored}
    for position, (code, label) in enumerate(wanted):
        breakdown = by_code.pop(code.lower(), None)
        if breakdown is None:
            Breakdown.objects.create(measure=measure, code=code, label=label, order=position)
        elif (breakdown.code, breakdown.label, breakdown.order) != (code, label, position):
            breakdown.code, breakdown.label, breakdown.order = code, label, position
            breakdown.save()
    for breakdown in by_code.values():
        breakdown.delete()


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "priority"
    slug, suffix = base, 2
    while Priority.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug



# Stored uploads: what the admin previewed is what it imports -------------------------------------

UPLOAD_DIRECTORY = "imports"
_UPLOAD_NAME = re.compile(rf"{UPLOAD_DIRECTORY}/[0-9a-f]{{32}}\.(csv|xlsx)", re.ASCII)


class UploadChanged(Exception):
    """The stored upload is missing or differs from the file that was previewed."""


def store_upload(content: bytes, filename: str) -> tuple[str, str]:
    """Keep an upload between preview and confirm; returns its storage name and SHA-256."""
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    _prune_uploads()
    extension = "xlsx" if content[:4] == b"PK\x03\x04" else "csv"
    name = default_storage.save(f"{UPLOAD_DIRECTORY}/{uuid.uuid4().hex}.{extension}", ContentFile(content))
    return name, file_sha256(content)


def _prune_uploads(older_than: datetime.timedelta = datetime.timedelta(days=2)) -> None:
    """Forget previews nobody confirmed (an upload is deleted when its import is written)."""
    from django.core.files.storage import default_storage

    cutoff = timezone.now() - older_than
    try:
        _, names = default_storage.listdir(UPLOAD_DIRECTORY)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in names:
        path = f"{UPLOAD_DIRECTORY}/{name}"
        try:
            if _UPLOAD_NAME.fullmatch(path) and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def read_upload(name: str, sha256: str) -> bytes:
    """The stored upload, checked against the hash taken when it was previewed."""
    from django.core.files.storage import default_storage

    if not _UPLOAD_NAME.fullmatch(name or ""):
        raise UploadChanged("The upload is not one this site stored")
    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        raise UploadChanged("The uploaded file is no longer stored: upload it again") from None
    if file_sha256(content) != sha256:
        raise UploadChanged("The file changed after it was previewed: upload it again")
    return content


def delete_upload(name: str) -> None:
    from django.core.files.storage import default_storage

    if _UPLOAD_NAME.fullmatch(name or ""):
        default_storage.delete(name)


class PendingUploads:
    """Uploads that passed their check and wait for the user to confirm them, one per token.

    The file stays on the server (`store_upload`) and the session names it with its SHA-256, so
    the browser carries only a token and the confirm imports exactly the file that was checked.
    `check` and `checked` name the first step in the messages ("preview", "previewed").
    """

    def __init__(self, session, key: str, *, check: str = "preview", checked: str = "previewed"):
        self.session, self.key, self.check, self.checked = session, key, check, checked

    def add(self, content: bytes, filename: str, **details) -> dict[str, str]:
        """Store the checked file; the token and hash that the confirm form sends back."""
        name, sha256 = store_upload(content, filename)
        token = secrets.token_urlsafe(16)
        pending = self.session.get(self.key, {})
        pending[token] = {"upload": name, "sha256": sha256, "filename": filename, **details}
        self.session[self.key] = pending
        return {"token": token, "sha256": sha256}

    def take(self, token: str, sha256: str, **expected) -> tuple[dict, bytes]:
        """The pending upload and its content, or UploadChanged saying why the confirm is refused."""
        entry = self.session.get(self.key, {}).get(token)
        if entry is None or any(entry.get(name) != value for name, value in expected.items()):
            raise UploadChanged(f"That {self.check} is no longer available: upload the file again")
        if sha256 != entry["sha256"]:
            raise UploadChanged(f"The file confirmed is not the file {self.checked}: upload it again")
        try:
            return entry, read_upload(entry["upload"], entry["sha256"])
        except UploadChanged:
            self.forget(token)
            raise

    def forget(self, token: str, *, delete: bool = False) -> None:
        """Drop the token; with `delete`, the stored file too (once it has been imported)."""
        pending = self.session.get(self.key, {})
        entry = pending.pop(token, None)
        self.session[self.key] = pending
        if delete and entry is not None:
            delete_upload(entry["upload"])


def run_import_job(job) -> dict:
    """The work of an import job (measures.tasks.import_values_file): safe to run twice.

    A second run finds every row unchanged. A file with errors fails the job with them.
    """
    from django.contrib.auth import get_user_model

    arguments = job.arguments
    content = read_upload(arguments["upload"], arguments["sha256"])
    user = get_user_model().objects.filter(pk=arguments.get("user_id")).first()
    with _progress_outside_transaction(job) as progress:
        summary = import_values(
            source=content, filename=arguments.get("filename", ""), user=user, progress=progress
        )
    summary.raise_for_errors()
    delete_upload(arguments["upload"])
    return summary.as_dict()


@contextlib.contextmanager
def _progress_outside_transaction(job):
    """Progress the admin can watch while the import's own transaction is still open.

    The import writes in one transaction, so progress recorded through it would appear only at
    the end. On PostgreSQL it goes through a second, autocommitting connection instead. (SQLite
    allows one writer at a time, so there it is recorded in the import's transaction.)
    """
    if connection.vendor != "postgresql":
        yield lambda done, total, message: job.record_progress(done, total, message)
        return
    from django.db import DEFAULT_DB_ALIAS, connections

    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = side.ops.quote_name(job._meta.db_table)

    def record(done: int, total: int, message: str) -> None:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET done = %s, total = %s, message = %s WHERE id = %s",
                [done, total, message[:300], job.pk],
            )

    try:
        yield record
    finally:
        side.close()
