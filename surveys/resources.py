"""Export survey results through django-import-export, in the layout the importer reads back.

One row per entered result (computed group totals are not exported: importing them would store
them twice). Text cells are neutralised against formula injection by the figures exporter's
widget, and numbers are written as the figures exporter writes them, so an exported file imports
back unchanged (surveys/importing.py).
"""

from __future__ import annotations

from decimal import Decimal

import tablib
from import_export import fields, resources

from measures.resources import export_file
from measures.widgets import FigureWidget, NeutralisedTextWidget
from surveys.importing import COLUMNS
from surveys.models import ResponseBase, Result

__all__ = ["ResultResource", "export_results"]

_text = NeutralisedTextWidget()
_figure = FigureWidget()

_ATTRIBUTES = {
    "survey": "wave__survey__slug",
    "wave": "wave__code",
    "question": "question__code",
    "area": "area__code",
    "segment": "segment__code",
    "percentage": "percentage",
    "count": "count",
    "rank": "rank",
    "note": "note",
}
_NUMBERS = {"percentage", "count", "rank", "base"}


class ResultResource(resources.ModelResource):
    survey = fields.Field(column_name="survey", widget=_text)
    wave = fields.Field(column_name="wave", widget=_text)
    question = fields.Field(column_name="question", widget=_text)
    area = fields.Field(column_name="area", widget=_text)
    segment = fields.Field(column_name="segment", widget=_text)
    option = fields.Field(column_name="option", widget=_text)
    percentage = fields.Field(column_name="percentage", widget=_figure)
    count = fields.Field(column_name="count", widget=_figure)
    rank = fields.Field(column_name="rank", widget=_figure)
    base = fields.Field(column_name="base", widget=_figure)
    note = fields.Field(column_name="note", widget=_text)

    class Meta:
        model = Result
        fields = COLUMNS
        export_order = COLUMNS

    def get_queryset(self):
        return Result.objects.all()

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        native = bool(kwargs.get("force_native_type"))
        if queryset is None:
            queryset = self.get_queryset()
        rows = queryset.order_by(
            "wave__survey__order", "wave__period__end", "wave__pk", "question__order", "question__code",
            "segment__order", "area__order", "area__code", "option__order", "group__order", "pk",
        ).values(
            *_ATTRIBUTES.values(), "option__code", "group__code",
            "wave_id", "question_id", "area_id", "segment_id",
        )
        rows = list(rows)
        bases = {
            (b.wave_id, b.question_id, b.area_id, b.segment_id): b.respondents
            for b in ResponseBase.objects.filter(
                wave_id__in={row["wave_id"] for row in rows},
                question_id__in={row["question_id"] for row in rows},
            )
        }
        dataset = tablib.Dataset(headers=list(COLUMNS))
        for row in rows:
            cells = {name: row[attribute] for name, attribute in _ATTRIBUTES.items()}
            cells["option"] = row["option__code"] or row["group__code"]
            cells["base"] = bases.get((row["wave_id"], row["question_id"], row["area_id"], row["segment_id"]))
            dataset.append([
                _figure.render(_decimal(cells[name]), force_native_type=native) if name in _NUMBERS
                else _text.render(cells[name] or "")
                for name in COLUMNS
            ])
        return dataset


def _decimal(number):
    if number is None or isinstance(number, Decimal):
        return number
    return Decimal(number)


def export_results(*, survey, waves=None, file_format: str) -> bytes:
    """A survey's results (or these waves'), as CSV or XLSX bytes."""
    queryset = Result.objects.filter(wave__survey=survey)
    if waves is not None:
        queryset = queryset.filter(wave__in=waves)
    return export_file(ResultResource(), queryset, file_format)
