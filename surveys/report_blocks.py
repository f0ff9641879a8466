"""The survey block of a report: a question's results by area and wave, as a table and a chart.

The reports app calls :func:`survey_block_data` with the block's configuration and freezes what
it returns (plain JSON: text, numbers as strings, the chart's SVG), so a published report never
changes when results are edited later. ``templates/surveys/report_block.html`` renders the dict
without the database. Configuration (JSON)::

    {
      "survey": "community-conversation",  # survey code (required)
      "question": "feel-safe",             # question code (required)
      "columns": ["safe"],                 # option or group codes; default: the groups, or the
                                           # options when the question has no groups
      "waves": ["2020-06", "2020-10"],     # wave codes; default: the last `wave_count` completed
      "wave_count": 2,
      "until": "2020-12",                  # optional period code: only waves ending by then,
                                           # so a report shows what was known at its quarter
      "areas": ["west-yorkshire", …],      # default: every area with a result, in area order
      "segment": "attended",               # optional: a segment's results instead of everyone's
      "chart": "bar" | "line" | "none",    # default: bar across areas, or line over waves for
                                           # one area
      "chart_column": "safe",              # the column the bar chart shows; default the first
      "title": "…"                         # default: the question
    }

Only completed waves give figures; a suspended wave is listed with its reason, and a wave not yet
published never appears. Each change is between a figure and the same figure in the previous wave
of the block that has one, tested as surveys/statistics.change says.
"""

from __future__ import annotations

import base64
from decimal import Decimal

from measures import periods
from measures.models import Area
from measures.presenters import Unit
from surveys import presenters, statistics
from surveys.models import Question, Survey, Wave
from surveys.results import Column, columns_of, read_grid

__all__ = ["SurveyBlockError", "block_config_errors", "survey_block_data"]

CONFIG_KEYS = {
    "survey", "question", "columns", "waves", "wave_count", "until", "areas", "segment", "chart",
    "chart_column", "title",
}
CHARTS = {"bar", "line", "none"}


class SurveyBlockError(ValueError):
    """A block configuration that names something that does not exist; the message says what."""


def block_config_errors(block_config: dict) -> list[str]:
    """Every problem with a survey block's configuration, for the reports app to show an editor."""
    try:
        _resolve(block_config)
    except SurveyBlockError as error:
        return [str(error)]
    return []


def survey_block_data(*, block_config: dict) -> dict:
    """Everything the block shows, as JSON-serialisable data. Raises SurveyBlockError."""
    resolved = _resolve(block_config)
    survey, question, columns = resolved["survey"], resolved["question"], resolved["columns"]
    waves, areas, segment = resolved["waves"], resolved["areas"], resolved["segment"]
    completed = [wave for wave in waves if wave.is_completed]
    grid = read_grid(question, wave_ids=[wave.pk for wave in completed], segment=segment)
    if not resolved["explicit_areas"]:
        present = grid.areas_with_results()
        areas = [area for area in areas if area.pk in present]
    decimals = question.decimals
    proportion = question.is_proportion

    rows = []
    any_too_few = False
    any_change = False
    for area in areas:
        for column in columns:
            cells, estimates = [], []
            for wave in completed:
                cell = grid.cell(wave.pk, area.pk, column.code)
                base = grid.base(wave.pk, area.pk)
                value = cell.percentage if cell else None
                estimate = statistics.estimate(value, base, proportion=proportion)
                estimates.append(estimate)
                any_too_few = any_too_few or (estimate.too_few and value is not None)
                cells.append(_cell(wave, cell, estimate, decimals=decimals, proportion=proportion,
                                   themes=question.kind == Question.Kind.THEMES))
            change = _latest_change(completed, estimates, proportion=proportion)
            any_change = any_change or change is not None
            rows.append({
                "area": area.name, "area_code": area.code,
                "column": column.label, "column_code": column.code, "is_group": column.is_group,
                "cells": cells,
                "change": change and _change(change, decimals),
            })

    title = block_config.get("title") or question.text
    wave_data = [_wave(wave) for wave in completed]
    data = {
        "title": title,
        "survey": {"name": survey.name, "code": survey.slug, "owner": survey.get_owner_display(),
                   "method_note": survey.method_note},
        "question": {"text": question.text, "code": question.code, "kind": question.kind,
                     "asked_of": question.asked_of},
        "segment": segment.label if segment else "",
        "waves": wave_data,
        "suspended": [
            {"label": wave.label, "reason": wave.status_reason}
            for wave in waves if wave.status == Wave.Status.SUSPENDED
        ],
        "columns": [{"code": c.code, "label": c.label, "is_group": c.is_group} for c in columns],
        "show_column": len(columns) > 1,
        "rows": rows,
        "has_change": any_change and len(completed) > 1,
        "caption": _caption(title, survey, segment, completed),
        "notes": _notes(question, proportion, any_too_few, any_change),
        "chart": None,
    }
    data["table"] = _export_table(data)
    chart_kind = block_config.get("chart") or ("bar" if len(areas) > 1 else "line")
    if chart_kind != "none" and rows and completed:
        data["chart"] = _chart(chart_kind, data, resolved, areas, completed)
    return data


# Resolving the configuration -------------------------------------------------------------------


def _resolve(config: dict) -> dict:
    if not isinstance(config, dict):
        raise SurveyBlockError("The survey block's configuration must be an object")
    unknown = set(config) - CONFIG_KEYS
    if unknown:
        raise SurveyBlockError(f"Unknown setting{'s' if len(unknown) > 1 else ''}: {', '.join(sorted(unknown))}")
    survey = Survey.objects.filter(slug=config.get("survey") or "").first()
    if survey is None:
        raise SurveyBlockError(f"No survey has the code “{config.get('survey', '')}”")
    question = (
        Question.objects.filter(survey=survey, code=config.get("question") or "")
        .prefetch_related("options", "groups__options").first()
    )
    if question is None:
        raise SurveyBlockError(f"{survey.name} has no question with the code “{config.get('question', '')}”")
    all_columns = columns_of(question)
    by_code = {column.code: column for column in all_columns}
    if config.get("columns"):
        missing = [code for code in config["columns"] if code not in by_code]
        if missing:
            raise SurveyBlockError(f"The question has no option or group “{'”, “'.join(missing)}”")
        columns = [by_code[code] for code in config["columns"]]
    else:
        columns = [column for column in all_columns if column.is_group] or all_columns
    if config.get("chart_column") and config["chart_column"] not in {c.code for c in columns}:
        raise SurveyBlockError(f"The chart column “{config['chart_column']}” is not one of the block's columns")
    if config.get("chart", "bar") not in CHARTS:
        raise SurveyBlockError(f"The chart must be one of {', '.join(sorted(CHARTS))}")

    candidates = list(
        Wave.objects.filter(survey=survey)
        .exclude(status=Wave.Status.UNPUBLISHED)
        .select_related("period")
        .in_order()
    )
    if config.get("until"):
        try:
            until = periods.parse_period(config["until"])
        except periods.InvalidPeriod as error:
            raise SurveyBlockError(f"“until”: {error}") from None
        candidates = [wave for wave in candidates if wave.period is None or wave.period.end <= until.end]
    if config.get("waves"):
        by_wave = {wave.code: wave for wave in candidates}
        missing = [code for code in config["waves"] if code not in by_wave]
        if missing:
            raise SurveyBlockError(f"{survey.name} has no published wave “{'”, “'.join(missing)}”")
        waves = [by_wave[code] for code in config["waves"]]
        waves.sort(key=lambda wave: candidates.index(wave))
    else:
        count = config.get("wave_count") or 2
        if not isinstance(count, int) or count < 1:
            raise SurveyBlockError("“wave_count” must be a whole number of waves, 1 or more")
        completed = [wave for wave in candidates if wave.is_completed][-count:]
        first = candidates.index(completed[0]) if completed else 0
        # Suspensions since the first wave shown are part of the story ("then suspended").
        waves = [
            wave for wave in candidates[first:]
            if wave in completed or wave.status == Wave.Status.SUSPENDED
        ]

    area_list = list(Area.objects.all())
    if config.get("areas"):
        by_area = {area.code: area for area in area_list}
        missing = [code for code in config["areas"] if code not in by_area]
        if missing:
            raise SurveyBlockError(f"No area has the code “{'”, “'.join(missing)}”")
        areas = [by_area[code] for code in config["areas"]]
    else:
        areas = area_list
    segment = None
    if config.get("segment"):
        segment = survey.segments.filter(code=config["segment"]).first()
        if segment is None:
            raise SurveyBlockError(f"{survey.name} has no segment “{config['segment']}”")
    return {
        "survey": survey, "question": question, "columns": columns, "waves": waves,
        "areas": areas, "explicit_areas": bool(config.get("areas")), "segment": segment,
        "chart_column": config.get("chart_column"),
    }


# Building the data -----------------------------------------------------------------------------


def _wave(wave: Wave) -> dict:
    return {
        "code": wave.code,
        "label": wave.label,
        "period": wave.period.code if wave.period else "",
        "respondents": wave.respondents,
        "respondents_text": presenters.base_text(wave.respondents),
    }


def _cell(wave, cell, estimate: statistics.Estimate, *, decimals, proportion, themes) -> dict:
    value = cell.percentage if cell else None
    text = presenters.figure_text(value, decimals=decimals, too_few=estimate.too_few, proportion=proportion)
    if themes and cell is not None and value is None:
        text = f"ranked {cell.rank}" if cell.rank else "raised"
    interval = estimate.interval if estimate.shown else None
    return {
        "wave": wave.code,
        "value": _text(value) if estimate.shown else None,
        "text": text,
        "count": cell.count if cell and estimate.shown else None,
        "rank": cell.rank if cell else None,
        "computed": bool(cell and cell.computed),
        "base": estimate.base,
        "base_text": presenters.base_text(estimate.base),
        "too_few": estimate.too_few and value is not None,
        "interval": {"low": _text(interval.low), "high": _text(interval.high)} if interval else None,
        "interval_text": presenters.interval_text(interval),
    }


def _latest_change(waves, estimates, *, proportion) -> statistics.Change | None:
    """The last shown figure against the one before it (the previous comparable wave)."""
    shown = [index for index, estimate in enumerate(estimates) if estimate.shown]
    if len(shown) < 2:
        return None
    current, previous = estimates[shown[-1]], estimates[shown[-2]]
    result = statistics.change(current, previous, proportion=proportion)
    if result is None:
        return None
    return result, waves[shown[-2]], waves[shown[-1]]


def _change(found, decimals: int) -> dict:
    change, previous_wave, current_wave = found
    return {
        "since": previous_wave.label,
        "to": current_wave.label,
        "points": _text(change.points),
        "text": presenters.change_text(change, decimals),
        "z": _text(change.z),
        "significant": change.significant,
        "mark": change.mark.value,
        "mark_text": presenters.mark_text(change),
        "symbol": presenters.mark_symbol(change),
    }


def _caption(title, survey, segment, waves) -> str:
    who = f", {segment.label}" if segment else ""
    spans = " and ".join(wave.label for wave in waves) if len(waves) <= 2 else (
        f"{waves[0].label} to {waves[-1].label}"
    )
    return f"{title}: {survey.name}{who}, {spans}" if waves else f"{title}: {survey.name}{who}"


def _notes(question, proportion, any_too_few, any_change) -> list[str]:
    notes = []
    if question.asked_of:
        notes.append(f"Asked of {question.asked_of}.")
    if proportion:
        notes.append(
            "Ranges are 95% confidence intervals (Wilson): the true figure lies in the range in 19 "
            "surveys out of 20. “n” is the number who answered."
        )
        if any_change:
            notes.append(
                "A change is called significant when a two-proportion test finds it at the 5% level; "
                "it is not tested where a base is not known."
            )
    if any_too_few:
        notes.append(presenters.too_few_note())
    if question.kind == Question.Kind.MULTIPLE:
        notes.append("Respondents could give more than one answer, so the figures may add up to more than 100%.")
    return notes


def _export_table(data: dict) -> dict:
    """The block's figures for the CSV and XLSX downloads: one row per area and answer."""
    columns = [{"label": "Area", "type": "text"}]
    if data["show_column"]:
        columns.append({"label": "Answer", "type": "text"})
    for wave in data["waves"]:
        columns += [
            {"label": f"{wave['label']} (%)", "type": "number"},
            {"label": f"{wave['label']} lower 95% limit", "type": "number"},
            {"label": f"{wave['label']} upper 95% limit", "type": "number"},
            {"label": f"{wave['label']} base (n)", "type": "number"},
        ]
    columns += [{"label": "Change (points)", "type": "number"}, {"label": "Significance", "type": "text"}]
    rows = []
    for row in data["rows"]:
        line = [row["area"]] + ([row["column"]] if data["show_column"] else [])
        for cell in row["cells"]:
            interval = cell["interval"] or {}
            line += [
                cell["value"] if cell["value"] is not None else cell["text"],
                interval.get("low"), interval.get("high"), cell["base"],
            ]
        change = row["change"] or {}
        line += [change.get("points"), change.get("mark_text", "")]
        rows.append(line)
    return {"title": data["title"], "columns": columns, "rows": rows}


def _chart(kind: str, data: dict, resolved: dict, areas, waves) -> dict | None:
    try:
        from measures import charts
    except ImportError:  # the measures app's charts are optional to the block
        return None
    question = resolved["question"]
    columns: list[Column] = resolved["columns"]
    values = {
        (row["area_code"], row["column_code"], cell["wave"]): cell["value"]
        for row in data["rows"] for cell in row["cells"]
    }

    def number(key):
        text = values.get(key)
        return Decimal(text) if text is not None else None

    title = data["title"]
    if kind == "bar":
        code = resolved["chart_column"] or columns[0].code
        column = next(column for column in columns if column.code == code)
        categories = [area.name for area in areas]
        series = [
            charts.Series(name=wave.label, points=[
                (area.name, number((area.code, column.code, wave.code))) for area in areas
            ])
            for wave in waves
        ]
        chart_title = f"{title}: {column.label}, by area" if len(columns) > 1 else f"{title}, by area"
        chart = charts.bar_chart(categories, series, title=chart_title, unit=Unit.PERCENTAGE.value,
                                 decimals=question.decimals)
    else:
        area = areas[0]
        series = [
            charts.Series(name=column.label, points=[
                (wave.label, number((area.code, column.code, wave.code))) for wave in waves
            ])
            for column in columns
        ]
        chart_title = f"{title}, {area.name}"
        chart = charts.line_chart(series, title=chart_title, unit=Unit.PERCENTAGE.value,
                                  decimals=question.decimals, y_label="Per cent")
    svg = str(chart.svg)
    return {
        "kind": kind,
        "title": chart.title,
        "svg": svg,
        "svg_uri": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"),
        "alt": chart.text_alternative,
        "headers": list(chart.headers),
        "rows": [list(row) for row in chart.rows],
    }


def _text(number: Decimal | None) -> str | None:
    """A number as JSON keeps it exactly: text, without trailing zeros or exponent."""
    if number is None:
        return None
    return format(number.normalize(), "f")
