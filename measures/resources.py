"""Export in the exchange format (data-format.md) through django-import-export resources.

The columns, their order and how each cell is written are declared here once; the admin's export,
``export_values`` and ``export_measures`` all use them, and what they write the importer
(measures/importing.py) reads back unchanged. Importing does not go through these resources:
django-import-export's per-row import cannot meet the speed the figures need (ADR 0005).

Exports read rows with ``values_list`` instead of building a model instance per figure, which
keeps a 400,000-figure export to seconds. Text cells are neutralised against formula injection
by our own widget (``'=…``, nothing deleted), not by django-import-export's escaping, which
deletes the ``=``.
"""

from __future__ import annotations

import tablib
from django.db.models import Prefetch, QuerySet
from import_export import fields, resources
from import_export.formats import base_formats

from measures.importing import FRAMEWORK_COLUMNS, VALUE_COLUMNS, format_breakdowns
from measures.models import Breakdown, Measure, Value
from measures.widgets import FigureWidget, NeutralisedTextWidget

__all__ = ["FORMATS", "MeasureResource", "ValueResource", "export_file"]

FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}

_text = NeutralisedTextWidget()
_figure = FigureWidget()


class ValueResource(resources.ModelResource):
    """One row per figure: measure, area, breakdown, period, value, numerator, denominator, note."""

    measure = fields.Field(attribute="measure__code", column_name="measure", widget=_text)
    area = fields.Field(attribute="area__code", column_name="area", widget=_text)
    breakdown = fields.Field(attribute="breakdown__code", column_name="breakdown", widget=_text)
    period = fields.Field(attribute="period__code", column_name="period", widget=_text)
    value = fields.Field(attribute="value", column_name="value", widget=_figure)
    numerator = fields.Field(attribute="numerator", column_name="numerator", widget=_figure)
    denominator = fields.Field(attribute="denominator", column_name="denominator", widget=_figure)
    note = fields.Field(attribute="note", column_name="note", widget=_text)

    class Meta:
        model = Value
        fields = VALUE_COLUMNS
        export_order = VALUE_COLUMNS

    def get_queryset(self):
        return Value.objects.all()

    def export(self, queryset: QuerySet | None = None, **kwargs) -> tablib.Dataset:
        native = bool(kwargs.get("force_native_type"))
        if queryset is None:
            queryset = self.get_queryset()
        columns = [self.fields[name] for name in VALUE_COLUMNS]
        widgets = [column.widget for column in columns]
        rows = (
            queryset.order_by(
                "measure__objective__priority__order", "measure__objective__order",
                "measure__order", "measure__code", "area__order", "area__code",
                "breakdown__order", "breakdown__code", "period__end", "period__start",
                "period__code",
            )
            .values_list(*(column.attribute for column in columns))
            .iterator(chunk_size=5000)
        )
        dataset = tablib.Dataset(headers=list(VALUE_COLUMNS))
        for row in rows:
            dataset.append([
                widget.render(cell, force_native_type=native) for widget, cell in zip(widgets, row)
            ])
        return dataset


class MeasureResource(resources.ModelResource):
    """The framework, one row per measure, in the layout of demo/framework.csv."""

    class Meta:
        model = Measure
        fields = FRAMEWORK_COLUMNS
        export_order = FRAMEWORK_COLUMNS

    priority = fields.Field(column_name="priority")
    objective = fields.Field(column_name="objective")
    code = fields.Field(column_name="code")
    name = fields.Field(column_name="name")
    definition = fields.Field(column_name="definition")
    source = fields.Field(column_name="source")
    unit = fields.Field(column_name="unit")
    decimals = fields.Field(column_name="decimals")
    polarity = fields.Field(column_name="polarity")
    aggregation = fields.Field(column_name="aggregation")
    comparison = fields.Field(column_name="comparison")
    band = fields.Field(column_name="band")
    new = fields.Field(column_name="new")
    headline = fields.Field(column_name="headline")
    districts_sum = fields.Field(column_name="districts_sum")
    breakdowns = fields.Field(column_name="breakdowns")
    numerator = fields.Field(column_name="numerator")
    denominator = fields.Field(column_name="denominator")
    factor = fields.Field(column_name="factor")

    def get_queryset(self):
        return Measure.objects.all()

    def export(self, queryset: QuerySet | None = None, **kwargs) -> tablib.Dataset:
        native = bool(kwargs.get("force_native_type"))
        if queryset is None:
            queryset = self.get_queryset()
        measures = queryset.in_framework_order().select_related("numerator", "denominator").prefetch_related(
            Prefetch("breakdowns", queryset=Breakdown.objects.order_by("order", "code"))
        )
        dataset = tablib.Dataset(headers=list(FRAMEWORK_COLUMNS))
        for measure in measures:
            row = {
                "priority": measure.objective.priority.name,
                "objective": measure.objective.name,
                "code": measure.code,
                "name": measure.name,
                "definition": measure.definition,
                "source": measure.source,
                "unit": measure.unit,
                "decimals": measure.decimals if native else str(measure.decimals),
                "polarity": measure.polarity,
                "aggregation": measure.aggregation,
                "comparison": measure.comparison,
                "band": _figure.render(measure.band, force_native_type=native),
                "new": _yes_no(measure.is_new),
                "headline": _yes_no(measure.is_headline),
                "districts_sum": _yes_no(measure.districts_sum),
                "breakdowns": format_breakdowns(
                    (breakdown.code, breakdown.label) for breakdown in measure.breakdowns.all()
                ),
                "numerator": measure.numerator.code if measure.numerator else "",
                "denominator": measure.denominator.code if measure.denominator else "",
                "factor": _figure.render(measure.factor, force_native_type=native),
            }
            dataset.append([
                row[name] if name in _NUMBERS else _text.render(row[name])
                for name in FRAMEWORK_COLUMNS
            ])
        return dataset


_NUMBERS = {"decimals", "band", "factor"}


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def export_file(resource: resources.ModelResource, queryset: QuerySet | None, file_format: str) -> bytes:
    """The queryset in CSV or XLSX, through django-import-export's formats (UTF-8 CSV)."""
    format_class = FORMATS[file_format]()
    dataset = resource.export(queryset, force_native_type=file_format == "xlsx")
    data = format_class.export_data(dataset)
    return data.encode("utf-8") if isinstance(data, str) else data

