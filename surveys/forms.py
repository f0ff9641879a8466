"""The entry grid (one wave, one question, every area and option at once) and the import form."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings

from measures.spreadsheets import UnreadableFile, check_size
from surveys.cells import CellError, parse_people, parse_percentage
from surveys.models import Question
from surveys.results import Column, total_problems

# Field names join codes with "." because slugs never contain one, so no two names can clash.
SEPARATOR = "."


def cell_name(area, column: Column) -> str:
    return f"cell{SEPARATOR}{area.code}{SEPARATOR}{column.code}"


def base_name(area) -> str:
    return f"base{SEPARATOR}{area.code}"


class ResultGridForm(forms.Form):
    """One text box per area × option or group, and one for each area's base.

    Every message names the area and the option, because a grid of 6 × 7 boxes gives no other
    clue which one is wrong. Validation is complete before anything is saved, so a bad cell
    saves nothing (the view saves all cells in one transaction only when the form is valid).
    """

    def __init__(self, data=None, *, question: Question, areas, columns: list[Column],
                 initial_cells: dict[tuple[int, str], Decimal | None] | None = None,
                 initial_bases: dict[int, int | None] | None = None):
        self.question = question
        self.areas = list(areas)
        self.columns = columns
        initial = {}
        for area in self.areas:
            respondents = (initial_bases or {}).get(area.pk)
            initial[base_name(area)] = "" if respondents is None else str(respondents)
            for column in columns:
                value = (initial_cells or {}).get((area.pk, column.code))
                initial[cell_name(area, column)] = "" if value is None else f"{value.normalize():f}"
        super().__init__(data, initial=initial)
        for area in self.areas:
            self.fields[base_name(area)] = forms.CharField(
                required=False, label=f"{area.name}: number who answered (base)",
                widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false",
                                              "class": "govuk-input--width-5"}),
            )
            for column in columns:
                self.fields[cell_name(area, column)] = forms.CharField(
                    required=False, label=f"{area.name}: {column.label} (%)",
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false",
                                                  "class": "govuk-input--width-4"}),
                )

    def rows(self) -> list[dict]:
        """For the template: each area with its bound cells and base, in column order."""
        return [
            {
                "area": area,
                "cells": [self[cell_name(area, column)] for column in self.columns],
                "base": self[base_name(area)],
            }
            for area in self.areas
        ]

    def show_computed(self, area_id: int, code: str, text: str) -> None:
        area = next(area for area in self.areas if area.pk == area_id)
        self.fields[cell_name(area, _column(self.columns, code))].help_text = f"From its options: {text}"

    def clean(self):
        cleaned = super().clean()
        self.percentages: dict[tuple[int, str], Decimal | None] = {}
        self.respondents: dict[int, int | None] = {}
        for area in self.areas:
            area_ok = True
            for column in self.columns:
                name = cell_name(area, column)
                try:
                    self.percentages[(area.pk, column.code)] = parse_percentage(cleaned.get(name))
                except CellError as error:
                    self.add_error(name, f"{area.name}, {column.label}: {error}")
                    area_ok = False
            name = base_name(area)
            try:
                self.respondents[area.pk] = parse_people(cleaned.get(name))
            except CellError as error:
                self.add_error(name, f"{area.name}, number who answered: {error}")
            if area_ok:
                self._check_totals(area)
        return cleaned

    def _check_totals(self, area) -> None:
        given = {
            column.code: self.percentages[(area.pk, column.code)]
            for column in self.columns
            if self.percentages[(area.pk, column.code)] is not None
        }
        for problem in total_problems(self.question, self.columns, given):
            self.add_error(cell_name(area, _column(self.columns, problem.code)), problem.message(area.name))

    def figures(self) -> dict[tuple[int, str], Decimal | None]:
        return self.percentages

    def bases(self) -> dict[int, int | None]:
        return self.respondents


def _column(columns: list[Column], code: str) -> Column:
    return next(column for column in columns if column.code == code)


class ImportForm(forms.Form):
    file = forms.FileField(label="File of survey results")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.IMPORT_MAX_UPLOAD_BYTES / (1024 * 1024)
        self.fields["file"].help_text = (
            f"A CSV or Excel (.xlsx) file in the layout of the export, at most {limit:,.0f} MB."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx")):
            raise forms.ValidationError("The file must be a CSV or an Excel (.xlsx) file")
        try:
            # Before the file is read: Django has spooled a large upload to disk, not memory.
            check_size(upload.size)
        except UnreadableFile as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class ConfirmImportForm(forms.Form):
    """Names the checked upload, which stays on the server; the confirm checks its hash again."""

    token = forms.CharField(widget=forms.HiddenInput)
    sha256 = forms.CharField(widget=forms.HiddenInput)
