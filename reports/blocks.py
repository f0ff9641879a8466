"""The kinds of block a report section holds: what each needs, how it is checked and built.

A block is built into HTML (what readers see, frozen when the report is published) and, for
tables and charts, into a plain table of the data behind it (frozen too, and what the CSV and
XLSX downloads contain). Every number and word comes from a stored Result or Value through
measures/presenters.py; nothing here does arithmetic.

Configuration, per kind (``config`` on the block, JSON):

current-measures
    ``{"caption": "…", "breakdowns": {"measure-code": ["breakdown", …]}}``: every headline
    measure, one table per priority. A measure shows its whole (force) figure, or one row per
    breakdown where it has no whole or where ``breakdowns`` picks them.

measure-table
    ``{"caption": "…", "layout": "comparison" | "grid", "defaults": {…}, "rows": [{…}],
    "columns": [{…}], "history": ["2018-19", …], "transpose": false, "show_numerator": false,
    "comment": false, "row_heading": "…"}``. Each row and column is part of a figure's address:
    ``{"measure": code, "area": code, "breakdown": code, "period": code, "label": "…"}``; a cell's
    address is defaults, then the row, then the column. An unset area is the force, an unset
    period the measure's headline period for the report's quarter.
    *grid*: a value per row × column. *comparison*: a row per address, with the comparison
    figure, the current figure, the change and the trend (``transpose`` turns it on its side;
    ``history`` adds earlier periods' values before them).

chart
    ``{"title": "…", "chart": "line" | "bar", "defaults": {…}, "rows": [{…}], "columns": [{…}],
    "y_label": "…"}``: a series per row, a point (line) or category (bar) per column.

commentary
    ``heading``, ``number`` and ``text`` (Markdown); no config.

delivery-updates, survey, glossary
    Filled by the delivery and surveys apps and the glossary terms; survey config is theirs.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from delivery.report_blocks import render_delivery_block
from measures import charts, periods, presenters
from measures.arithmetic import round_half_away
from measures.models import Result
from reports.figures import Coordinate, Figures, Needs, UnknownReference
from reports.models import Block
from reports.text import render_markdown
from surveys.report_blocks import SurveyBlockError, block_config_errors, survey_block_data

logger = logging.getLogger(__name__)

ADDRESS_KEYS = {"measure", "area", "breakdown", "period", "label"}
LAYOUTS = {"grid", "comparison"}
CHART_TYPES = {"line", "bar"}
TABLE_KINDS = {Block.Kind.CURRENT_MEASURES, Block.Kind.MEASURE_TABLE, Block.Kind.CHART}

NO_COMPARISON = "no comparison figure"
NEW_MEASURE = "new measure"


@dataclass
class BuiltBlock:
    """A block as readers see it (``html``) and the data behind it (``table``, for downloads)."""

    key: str
    kind: str
    number: str
    heading: str
    html: str
    table: dict | None = None
    extra: dict = field(default_factory=dict)


# Checking a configuration ---------------------------------------------------------------------


def validate_block(block: Block) -> None:
    """Raise ValidationError naming what is wrong with a block's configuration, in plain words."""
    errors = config_errors(block.kind, block.config or {})
    if block.kind == Block.Kind.COMMENTARY and not (block.text.strip() or block.heading.strip()):
        errors.append("Commentary needs a heading or some text.")
    if errors:
        raise ValidationError({"config": errors})
    if block.kind in TABLE_KINDS:
        missing = _unknown_references(block.config or {})
        if missing:
            raise ValidationError({"config": missing})
    if block.kind == Block.Kind.SURVEY:
        problems = block_config_errors(block.config or {})
        if problems:
            raise ValidationError({"config": problems})


def config_errors(kind: str, config) -> list[str]:
    if not isinstance(config, dict):
        return ["The configuration must be a JSON object, e.g. {\"caption\": \"…\"}."]
    errors = []
    if kind == Block.Kind.MEASURE_TABLE:
        layout = config.get("layout", "comparison")
        if layout not in LAYOUTS:
            errors.append(f"“layout” must be “comparison” or “grid”, not “{layout}”.")
        if not config.get("caption"):
            errors.append("A measure table needs a “caption” saying what it shows.")
        errors += _address_list_errors(config, "rows", required=True)
        if layout == "grid":
            errors += _address_list_errors(config, "columns", required=True)
        errors += _history_errors(config)
    elif kind == Block.Kind.CHART:
        if config.get("chart", "line") not in CHART_TYPES:
            errors.append(f"“chart” must be “line” or “bar”, not “{config.get('chart')}”.")
        if not config.get("title"):
            errors.append("A chart needs a “title” saying what it shows.")
        errors += _address_list_errors(config, "rows", required=True)
        errors += _address_list_errors(config, "columns", required=True)
    elif kind == Block.Kind.CURRENT_MEASURES:
        picked = config.get("breakdowns", {})
        if not isinstance(picked, dict) or not all(
            isinstance(codes, list) for codes in picked.values()
        ):
            errors.append("“breakdowns” must map a measure code to a list of breakdown codes.")
    if kind in {Block.Kind.MEASURE_TABLE, Block.Kind.CHART}:
        defaults = config.get("defaults", {})
        if not isinstance(defaults, dict):
            errors.append("“defaults” must be an address such as {\"measure\": \"total-recorded-crime\"}.")
        else:
            errors += _address_errors(defaults, "defaults")
        if not errors and not _every_cell_has_a_measure(config):
            errors.append("Every cell needs a measure: set it in “defaults”, each row or each column.")
    return errors


def _address_list_errors(config, name, *, required) -> list[str]:
    items = config.get(name)
    if items is None:
        return [f"“{name}” is missing: give a list of addresses."] if required else []
    if not isinstance(items, list) or (required and not items):
        return [f"“{name}” must be a non-empty list of addresses."]
    errors = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(f"{name} {index} must be an address such as {{\"area\": \"leeds\"}}.")
        else:
            errors += _address_errors(item, f"{name} {index}")
    return errors


def _address_errors(address: dict, where: str) -> list[str]:
    errors = []
    unknown = set(address) - ADDRESS_KEYS
    if unknown:
        errors.append(
            f"{where}: unknown key{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(sorted(unknown))} (use measure, area, breakdown, period, label)."
        )
    period = address.get("period")
    if period:
        try:
            periods.parse_period(period)
        except periods.InvalidPeriod as error:
            errors.append(f"{where}: {error}")
    for key in ADDRESS_KEYS:
        if key in address and address[key] is not None and not isinstance(address[key], str):
            errors.append(f"{where}: “{key}” must be text.")
    return errors


def _history_errors(config) -> list[str]:
    history = config.get("history", [])
    if not isinstance(history, list):
        return ["“history” must be a list of period codes, e.g. [\"2018-19\", \"2019-20\"]."]
    errors = []
    for code in history:
        try:
            periods.parse_period(code)
        except (periods.InvalidPeriod, TypeError) as error:
            errors.append(f"history: {error}")
    return errors


def _every_cell_has_a_measure(config) -> bool:
    default = bool(config.get("defaults", {}).get("measure"))
    rows = config.get("rows", [])
    columns = config.get("columns", []) or [{}]
    return all(default or row.get("measure") or column.get("measure") for row in rows for column in columns)


def _unknown_references(config) -> list[str]:
    """Measures, areas and breakdowns named in the configuration that do not exist."""
    from measures.models import Area, Breakdown, Measure

    addresses = [config.get("defaults", {}), *config.get("rows", []), *config.get("columns", [])]
    measures = {a["measure"] for a in addresses if a.get("measure")} | set(config.get("breakdowns", {}))
    areas = {a["area"] for a in addresses if a.get("area")}
    known_measures = set(Measure.objects.filter(code__in=measures).values_list("code", flat=True))
    known_areas = set(Area.objects.filter(code__in=areas).values_list("code", flat=True))
    errors = [f"There is no measure with the code “{code}”." for code in sorted(measures - known_measures)]
    errors += [f"There is no area with the code “{code}”." for code in sorted(areas - known_areas)]
    breakdowns = {code for a in addresses if (code := a.get("breakdown"))}
    for codes in config.get("breakdowns", {}).values():
        breakdowns |= set(codes)
    known_breakdowns = set(Breakdown.objects.filter(code__in=breakdowns).values_list("code", flat=True))
    errors += [f"There is no breakdown with the code “{code}”." for code in sorted(breakdowns - known_breakdowns)]
    return errors


# What a block needs ---------------------------------------------------------------------------


def add_needs(block: Block, needs: Needs) -> None:
    config = block.config or {}
    if block.kind == Block.Kind.CURRENT_MEASURES:
        needs.headline_measures = True
    elif block.kind in {Block.Kind.MEASURE_TABLE, Block.Kind.CHART}:
        for address in [config.get("defaults", {}), *config.get("rows", []), *config.get("columns", [])]:
            needs.add(measure=address.get("measure"), period=address.get("period"))
        for code in config.get("history", []):
            needs.add(period=code)


# Presenting one stored result -----------------------------------------------------------------


def present_result(result: Result | None, measure, *, value_note: str = "") -> dict:
    """The words and numbers for a result, all from measures/presenters.py."""
    unit, decimals = measure.unit, measure.decimals
    if result is None:
        return {
            "current": presenters.NOT_AVAILABLE, "previous": "", "current_period": "",
            "previous_period": "", "change": "", "arrow": "", "words": "", "css": "",
            "significance": "", "status": Result.Status.NOT_AVAILABLE, "note": value_note,
            "available": False, "compared": False,
        }
    compared = result.status == Result.Status.COMPARED
    has_previous = result.previous is not None
    shown = {
        "current": presenters.format_value(result.current, unit=unit, decimals=decimals),
        "current_period": result.period.label,
        "previous": presenters.format_value(result.previous, unit=unit, decimals=decimals)
        if has_previous
        else _no_previous(result, measure),
        "previous_period": result.comparison_period.label if result.comparison_period_id else "",
        "change": "",
        "arrow": "",
        "words": "",
        "css": "",
        "significance": "",
        "status": result.status,
        "note": value_note,
        "available": result.status != Result.Status.NOT_AVAILABLE,
        "compared": compared,
    }
    if compared:
        shown.update(
            change=presenters.format_change(
                difference=result.difference, percent_change=result.percent_change,
                points=result.points, unit=unit, decimals=decimals,
            ),
            arrow=presenters.arrow(result.direction),
            words=presenters.direction_text(result.direction, result.judgement),
            css=presenters.judgement_css_class(result.judgement),
            significance=presenters.significance_text(result.significant, result.method),
        )
    return shown


def _no_previous(result: Result, measure) -> str:
    """Why there is no comparison figure: a new measure, none yet, or none available."""
    if result.status == Result.Status.NOT_AVAILABLE:
        return presenters.NOT_AVAILABLE
    return NEW_MEASURE if measure.is_new else NO_COMPARISON


def _number(value: Decimal | None, decimals: int) -> dict | None:
    """A number for the downloads, rounded as the page prints it (the one rounding rule)."""
    if value is None:
        return None
    return {"number": str(round_half_away(value, decimals)), "decimals": decimals}


COMPARISON_EXPORT_COLUMNS = [
    ("Period", "text"), ("Figure", "number"), ("Comparison period", "text"),
    ("Comparison figure", "number"), ("Difference", "number"), ("Percentage change", "number"),
    ("Difference in points", "number"), ("Direction", "text"), ("Judgement", "text"),
    ("Significance", "text"), ("Status", "text"), ("Unit", "text"),
]


def export_cells(result: Result | None, measure) -> list:
    """The computed columns of a result for CSV and XLSX, numbers as numbers."""
    decimals = measure.decimals
    if result is None:
        return ["", None, "", None, None, None, None, "", "", "", "not available", measure.unit]
    shown = present_result(result, measure)
    return [
        result.period.label,
        _number(result.current, decimals),
        result.comparison_period.label if result.comparison_period_id else "",
        _number(result.previous, decimals),
        _number(result.difference, decimals),
        _number(result.percent_change, presenters.PERCENT_CHANGE_DECIMALS),
        _number(result.points, decimals),
        str(result.direction).replace("-", " "),
        str(result.judgement).replace("-", " "),
        shown["significance"],
        result.get_status_display().lower(),
        measure.unit,
    ]


# Building -------------------------------------------------------------------------------------


@dataclass
class BuildContext:
    """What every block of one report is built from, loaded once."""

    report: object
    figures: Figures
    comments: dict[int, str]  # measure id -> comment
    glossary: list
    strict: bool = False  # publishing: a block that cannot be built stops it


def build_block(block: Block, context: BuildContext) -> BuiltBlock:
    builder = {
        Block.Kind.CURRENT_MEASURES: _build_current_measures,
        Block.Kind.MEASURE_TABLE: _build_measure_table,
        Block.Kind.CHART: _build_chart,
        Block.Kind.COMMENTARY: _build_commentary,
        Block.Kind.DELIVERY_UPDATES: _build_delivery_updates,
        Block.Kind.SURVEY: _build_survey,
        Block.Kind.GLOSSARY: _build_glossary,
    }[Block.Kind(block.kind)]
    try:
        return builder(block, context)
    except UnknownReference as error:
        # A measure or area the block names has gone since it was saved. The preview says so
        # (so staff can fix it); publishing stops rather than freeze a broken table.
        if context.strict:
            raise
        html = render_to_string("reports/blocks/problem.html", {"block": block, "problem": str(error)})
        return _built(block, html)


def _built(block, html, table=None, **extra) -> BuiltBlock:
    return BuiltBlock(
        key=block.key, kind=block.kind, number=block.number, heading=block.heading,
        html=html, table=table, extra=extra,
    )


def heading_level(number: str) -> int:
    """h3 for “2.1”, h4 for “2.1.1” and deeper; the section title is the h2."""
    depth = number.strip(".").count(".") if number else 1
    return 3 if depth <= 1 else 4


def _build_commentary(block, context) -> BuiltBlock:
    html = render_to_string(
        "reports/blocks/commentary.html",
        {"block": block, "level": heading_level(block.number), "text": render_markdown(block.text)},
    )
    return _built(block, html)


def _build_glossary(block, context) -> BuiltBlock:
    terms = [{"term": term.term, "definition": term.definition} for term in context.glossary]
    html = render_to_string("reports/blocks/glossary.html", {"block": block, "terms": terms})
    return _built(block, html)


# The current measures table -------------------------------------------------------------------


def _current_measure_rows(context: BuildContext, config: dict, *, all_areas: bool):
    """(measure, breakdown, area, result) in framework order, with the picked breakdowns."""
    figures = context.figures
    picked = config.get("breakdowns", {})
    for measure in figures.headline_measures():
        results = figures.results_for(measure)
        if not all_areas:
            root = figures.root_area
            results = [r for r in results if root is not None and r.area_id == root.pk]
        if measure.code in picked:
            wanted = {figures.breakdown(measure, code).pk for code in picked[measure.code]}
            results = [r for r in results if r.breakdown_id in wanted]
        elif not all_areas and any(r.breakdown_id is None for r in results):
            results = [r for r in results if r.breakdown_id is None]
        if not results:
            yield measure, None, figures.root_area, None
            continue
        for result in results:
            yield (
                measure,
                figures.breakdown_by_id(measure, result.breakdown_id),
                figures.area_by_id(result.area_id),
                result,
            )


def _value_note(figures: Figures, measure, area, breakdown, result) -> str:
    """A given figure's note, shown where the figure is not available (e.g. the CSEW one)."""
    if result is not None and result.status != Result.Status.NOT_AVAILABLE:
        return ""
    coordinate = Coordinate(
        measure=measure.code, area=area.code if area else "", breakdown=breakdown.code if breakdown else None
    )
    period_code = result.period.code if result is not None else None
    value = figures.value(coordinate, period_code=period_code)
    return value.note if value is not None else ""


def _trend_cell(shown: dict) -> dict:
    return {
        "kind": "trend", "arrow": shown["arrow"], "words": shown["words"], "css": shown["css"],
        "significance": shown["significance"], "text": shown["change"] if not shown["arrow"] else "",
    }


def _build_current_measures(block, context) -> BuiltBlock:
    config = block.config or {}
    figures = context.figures
    tables, priorities = [], {}
    export_rows = []
    for measure, breakdown, area, result in _current_measure_rows(context, config, all_areas=False):
        objective = measure.objective
        priority = objective.priority
        table = priorities.get(priority.pk)
        if table is None:
            table = {
                "caption": f"{config.get('caption', 'Current measures')}: {priority.name}",
                "id": f"table-{block.key}-{priority.slug}",
                "head": [
                    {"text": "Measure"},
                    {"text": "Comparison figure", "numeric": True},
                    {"text": "Current figure", "numeric": True},
                    {"text": "Difference", "numeric": True},
                    {"text": "Trend over time"},
                    {"text": "Comment"},
                ],
                "groups": [],
            }
            priorities[priority.pk] = table
            tables.append(table)
        if not table["groups"] or table["groups"][-1]["objective_id"] != objective.pk:
            table["groups"].append({"heading": f"Objective: {objective.name}", "objective_id": objective.pk, "rows": []})
        group = table["groups"][-1]
        note = _value_note(figures, measure, area, breakdown, result)
        shown = present_result(result, measure, value_note=note)
        first_of_measure = not group["rows"] or group["rows"][-1]["measure_id"] != measure.pk
        comment = context.comments.get(measure.pk, "") if first_of_measure else ""
        group["rows"].append({
            "measure_id": measure.pk,
            "header": measure.name,
            "header_sub": breakdown.label if breakdown else "",
            "tags": [NEW_MEASURE] if measure.is_new and first_of_measure else [],
            "cells": [
                {"text": shown["previous"], "sub": shown["previous_period"], "numeric": True},
                {"text": shown["current"], "sub": shown["current_period"], "numeric": True},
                {"text": shown["change"], "numeric": True},
                _trend_cell(shown),
                # Why a figure is not available reads best beside the comment, not squeezed
                # under the number.
                {"text": comment, "note": shown["note"]},
            ],
        })
        export_rows.append(_measure_export_row(measure, breakdown, area, result, comment, note))
    html = render_to_string(
        "reports/blocks/tables.html",
        {"block": block, "tables": tables, "download_label": config.get("caption", "Current measures")},
    )
    table = _measures_export_table(config.get("caption", "Current measures"), export_rows)
    return _built(block, html, table)


MEASURE_EXPORT_HEAD = [
    ("Priority", "text"), ("Objective", "text"), ("Measure code", "text"), ("Measure", "text"),
    ("Breakdown", "text"), ("Area", "text"), *COMPARISON_EXPORT_COLUMNS,
    ("New measure", "text"), ("Comment", "text"), ("Notes", "text"),
]


def _measure_export_row(measure, breakdown, area, result, comment, note) -> list:
    objective = measure.objective
    return [
        objective.priority.name, objective.name, measure.code, measure.name,
        breakdown.label if breakdown else "", area.name if area else "",
        *export_cells(result, measure),
        "yes" if measure.is_new else "no", comment, note,
    ]


def _measures_export_table(title: str, rows: list) -> dict:
    return {
        "title": title,
        "columns": [{"label": label, "type": kind} for label, kind in MEASURE_EXPORT_HEAD],
        "rows": rows,
    }


def measures_export(context: BuildContext) -> dict:
    """measures.csv: every headline measure × area × breakdown, with the computed columns."""
    rows = []
    for measure, breakdown, area, result in _current_measure_rows(context, {}, all_areas=True):
        note = _value_note(context.figures, measure, area, breakdown, result)
        comment = context.comments.get(measure.pk, "")
        rows.append(_measure_export_row(measure, breakdown, area, result, comment, note))
    title = f"Current measures, {context.report.period.label}"
    return _measures_export_table(title, rows)


# Measure tables and charts --------------------------------------------------------------------


def _address(*parts: dict) -> dict:
    merged = {}
    for part in parts:
        merged.update({key: value for key, value in part.items() if key != "label" and value})
    return merged


def _coordinate(address: dict) -> Coordinate:
    return Coordinate(
        measure=address["measure"], area=address.get("area", ""),
        breakdown=address.get("breakdown"), period=address.get("period"),
    )


def _label(part: dict, figures: Figures, *, short: bool = False, defaults: dict | None = None) -> str:
    """A row or column's heading: its own label, else what it names, most specific first."""
    if part.get("label"):
        return part["label"]
    measure_code = part.get("measure") or (defaults or {}).get("measure")
    if part.get("breakdown") and measure_code:
        measure = figures.measure(measure_code)
        return figures.breakdown(measure, part["breakdown"]).label
    if part.get("measure"):
        return figures.measure(part["measure"]).name
    if part.get("area"):
        return figures.area(part["area"]).name
    if part.get("period"):
        code = part["period"]
        return figures.period_short_label(code) if short else figures.period_label(code)
    return ""


def _grid_cell(figures: Figures, address: dict, *, show_numerator: bool):
    """A figure's text and its number for the downloads: the stored result, else the given value."""
    coordinate = _coordinate(address)
    measure = figures.measure(coordinate.measure)
    result = figures.result(coordinate)
    value = figures.value(coordinate, period_code=result.period.code if result else None)
    if result is not None:
        number = result.current
    elif value is not None:
        number = value.value
    else:
        number = None
    text = presenters.format_value(number, unit=measure.unit, decimals=measure.decimals)
    numerator = value.numerator if (show_numerator and value is not None) else None
    if numerator is not None and number is not None:
        text += f" ({presenters.format_value(numerator, unit=presenters.Unit.COUNT, decimals=0)})"
    return measure, number, numerator, text


def _build_grid(block, context) -> BuiltBlock:
    config = block.config
    figures = context.figures
    defaults = config.get("defaults", {})
    show_numerator = bool(config.get("show_numerator"))
    columns = config["columns"]
    head = [{"text": config.get("row_heading", "")}] + [
        {"text": _label(column, figures, short=True, defaults=defaults), "numeric": True} for column in columns
    ]
    rows, export_rows = [], []
    export_head = [{"label": config.get("row_heading") or "Row", "type": "text"}]
    for column in columns:
        label = _label(column, figures, short=True, defaults=defaults)
        export_head.append({"label": label, "type": "number"})
        if show_numerator:
            export_head.append({"label": f"{label} (number)", "type": "number"})
    for row in config["rows"]:
        cells, export_row = [], [_label(row, figures, defaults=defaults)]
        for column in columns:
            measure, number, numerator, text = _grid_cell(
                figures, _address(defaults, row, column), show_numerator=show_numerator
            )
            cells.append({"text": text, "numeric": True})
            export_row.append(_number(number, measure.decimals))
            if show_numerator:
                export_row.append(_number(numerator, 0))
        rows.append({"header": _label(row, figures, defaults=defaults), "cells": cells})
        export_rows.append(export_row)
    table = {
        "caption": config["caption"], "id": f"table-{block.key}", "head": head,
        "groups": [{"heading": "", "rows": rows}],
    }
    html = render_to_string("reports/blocks/tables.html", {"block": block, "tables": [table], "downloadable": True})
    export = {"title": config["caption"], "columns": export_head, "rows": export_rows}
    return _built(block, html, export)


def _build_comparison(block, context) -> BuiltBlock:
    config = block.config
    figures = context.figures
    defaults = config.get("defaults", {})
    history = [periods.parse_period(code).code for code in config.get("history", [])]
    with_comment = bool(config.get("comment"))
    entries = []
    for row in config["rows"]:
        address = _address(defaults, row)
        coordinate = _coordinate(address)
        measure = figures.measure(coordinate.measure)
        result = figures.result(coordinate)
        area = figures.area(coordinate.area)
        breakdown = figures.breakdown(measure, coordinate.breakdown)
        note = _value_note(figures, measure, area, breakdown, result)
        history_cells = []
        for code in history:
            _, number, _, text = _grid_cell(figures, {**address, "period": code}, show_numerator=False)
            history_cells.append((code, number, text))
        entries.append({
            "label": _label(row, figures, defaults=defaults), "measure": measure, "result": result,
            "shown": present_result(result, measure, value_note=note), "history": history_cells,
            "comment": context.comments.get(measure.pk, "") if with_comment else "",
            "area": area, "breakdown": breakdown, "note": note,
        })
    first = next((e["result"] for e in entries if e["result"] is not None), None)
    current_label = first.period.label if first else "Current figure"
    previous_label = (
        first.comparison_period.label if first is not None and first.comparison_period_id else "Comparison figure"
    )
    history_labels = [figures.period_label(code) for code in history]

    if config.get("transpose"):
        head = [{"text": config.get("row_heading", "")}] + [
            {"text": entry["label"], "numeric": True} for entry in entries
        ]
        stat_rows = [
            (current_label, lambda e: {"text": e["shown"]["current"], "numeric": True, "note": e["shown"]["note"]}),
            (previous_label, lambda e: {"text": e["shown"]["previous"], "numeric": True}),
            ("Difference", lambda e: {"text": e["shown"]["change"], "numeric": True}),
            ("Trend", lambda e: _trend_cell(e["shown"])),
        ]
        rows = [
            {"header": label, "cells": [make(entry) for entry in entries]} for label, make in stat_rows
        ]
    else:
        head = (
            [{"text": config.get("row_heading", "")}]
            + [{"text": label, "numeric": True} for label in history_labels]
            + [
                {"text": previous_label, "numeric": True},
                {"text": current_label, "numeric": True},
                {"text": "Difference", "numeric": True},
                {"text": "Trend over time"},
            ]
            + ([{"text": "Comment"}] if with_comment else [])
        )
        rows = []
        for entry in entries:
            shown = entry["shown"]
            cells = [{"text": text, "numeric": True} for _, _, text in entry["history"]]
            cells += [
                {"text": shown["previous"], "numeric": True},
                {"text": shown["current"], "numeric": True, "note": shown["note"]},
                {"text": shown["change"], "numeric": True},
                _trend_cell(shown),
            ]
            if with_comment:
                cells.append({"text": entry["comment"]})
            rows.append({"header": entry["label"], "cells": cells})
    table = {
        "caption": config["caption"], "id": f"table-{block.key}", "head": head,
        "groups": [{"heading": "", "rows": rows}],
    }
    html = render_to_string("reports/blocks/tables.html", {"block": block, "tables": [table], "downloadable": True})

    export_head = (
        [{"label": config.get("row_heading") or "Row", "type": "text"},
         {"label": "Measure", "type": "text"}, {"label": "Breakdown", "type": "text"},
         {"label": "Area", "type": "text"}]
        + [{"label": label, "type": "number"} for label in history_labels]
        + [{"label": label, "type": kind} for label, kind in COMPARISON_EXPORT_COLUMNS]
        + [{"label": "Comment", "type": "text"}, {"label": "Notes", "type": "text"}]
    )
    export_rows = []
    for entry in entries:
        measure = entry["measure"]
        export_rows.append(
            [entry["label"], measure.name, entry["breakdown"].label if entry["breakdown"] else "",
             entry["area"].name]
            + [_number(number, measure.decimals) for _, number, _ in entry["history"]]
            + export_cells(entry["result"], measure)
            + [entry["comment"], entry["note"]]
        )
    export = {"title": config["caption"], "columns": export_head, "rows": export_rows}
    return _built(block, html, export)


def _build_measure_table(block, context) -> BuiltBlock:
    if (block.config or {}).get("layout", "comparison") == "grid":
        return _build_grid(block, context)
    return _build_comparison(block, context)


def _build_chart(block, context) -> BuiltBlock:
    config = block.config
    figures = context.figures
    defaults = config.get("defaults", {})
    columns = config["columns"]
    labels = [_label(column, figures, short=True, defaults=defaults) for column in columns]
    series, units = [], []
    for row in config["rows"]:
        points = []
        for column, label in zip(columns, labels, strict=True):
            measure, number, _, _ = _grid_cell(figures, _address(defaults, row, column), show_numerator=False)
            units.append((measure.unit, measure.decimals))
            points.append((label, number))
        series.append(charts.Series(name=_label(row, figures, defaults=defaults), points=points))
    unit, decimals = units[0]
    if config.get("chart", "line") == "bar":
        chart = charts.bar_chart(labels, series, title=config["title"], unit=unit, decimals=decimals)
    else:
        chart = charts.line_chart(
            series, title=config["title"], unit=unit, decimals=decimals, y_label=config.get("y_label", "")
        )
    svg = base64.b64encode(str(chart.svg).encode()).decode("ascii")
    data_table = {
        "caption": f"Data for the chart: {config['title']}",
        "id": f"table-{block.key}",
        "head": [{"text": chart.headers[0]}] + [{"text": header, "numeric": True} for header in chart.headers[1:]],
        "groups": [{"heading": "", "rows": [
            {"header": row[0], "cells": [{"text": cell, "numeric": True} for cell in row[1:]]}
            for row in chart.rows
        ]}],
    }
    html = render_to_string(
        "reports/blocks/chart.html",
        {
            "block": block, "title": config["title"], "svg_uri": f"data:image/svg+xml;base64,{svg}",
            "alt": chart.text_alternative, "table": data_table,
        },
    )
    export = {
        "title": config["title"],
        "columns": [{"label": chart.headers[0], "type": "text"}]
        + [{"label": one.name, "type": "number"} for one in series],
        "rows": [
            [label] + [_number(dict(one.points).get(label), decimals) for one in series]
            for label in labels
        ],
    }
    return _built(block, html, export)


# Blocks the delivery and surveys apps fill ----------------------------------------------------


def _build_delivery_updates(block, context) -> BuiltBlock:
    """The approved updates for the section's priority, from the delivery app, as data."""
    section = block.section
    if section.priority_id is None:
        html = render_to_string(
            "reports/blocks/delivery_updates.html",
            {"block": block, "level": heading_level(block.number)},
        )
        return _built(block, html, None, delivery=None)
    data = _jsonable(render_delivery_block(period=context.report.period, priority=section.priority))
    if block.heading:  # the report's own numbering and wording for the block's heading
        data["heading"] = f"{block.number} {block.heading}".strip()
    html = render_to_string("delivery/report_block.html", {"block": data})
    return _built(block, html, None, delivery=data)


def _build_survey(block, context) -> BuiltBlock:
    """A survey question's results, from the surveys app, as data frozen with the version."""
    data, problem = None, ""
    try:
        data = _jsonable(survey_block_data(block_config=block.config or {}))
    except SurveyBlockError as error:  # its survey or question has gone since it was saved
        if context.strict:
            raise
        problem = str(error)
    # The section tells apart two blocks showing the same question (their table regions' labels
    # must differ).
    place = {"section_number": block.section.number}
    inner = render_to_string("surveys/report_block.html", {**data, **place}) if data is not None else ""
    html = render_to_string(
        "reports/blocks/survey.html",
        {"block": block, "level": heading_level(block.number), "inner": inner, "problem": problem},
    )
    table = data.get("table") if data is not None and isinstance(data.get("table"), dict) else None
    return _built(block, html, table, survey=data)


def _jsonable(data):
    """The data behind a block, as JSON can hold it (dates and decimals become text)."""
    if data is None:
        return None
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))


__all__ = [
    "BuildContext",
    "BuiltBlock",
    "UnknownReference",
    "add_needs",
    "build_block",
    "config_errors",
    "heading_level",
    "measures_export",
    "present_result",
    "validate_block",
]
