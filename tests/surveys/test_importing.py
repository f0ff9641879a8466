"""Importing survey results: a dry run first, every row error reported, nothing written on any."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.models import Value
from surveys.importing import import_results
from surveys.models import ResponseBase, Result
from surveys.resources import export_results
from tests.surveys.factories import result, segment

pytestmark = pytest.mark.django_db

HEADER = "survey,wave,question,area,segment,option,percentage,count,rank,base,note"


def csv_file(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


GOOD = [
    "community-conversation,2020-10,police-work,west-yorkshire,,good-very-good,46,,,950,",
    "community-conversation,2020-10,police-work,west-yorkshire,,poor-very-poor,17%,,,950,",
    "community-conversation,2020-10,police-work,leeds,,good,40.0,48,,120,",
]


@pytest.fixture
def setup(areas, october, police_work):
    return october, police_work


def errors_of(summary):
    return [str(error) for error in summary.errors]


def test_a_good_file_writes_every_row_and_the_bases(setup, good_job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        summary = import_results(source=csv_file(*GOOD), filename="results.csv")
    assert summary.ok and summary.written
    assert (summary.new, summary.changed, summary.unchanged) == (3, 0, 0)
    leeds = Result.objects.get(area__code="leeds")
    assert (leeds.percentage, leeds.count) == (D("40"), 48)
    assert ResponseBase.objects.get(area__code="west-yorkshire").respondents == 950
    assert Value.objects.get(measure=good_job, area__code="west-yorkshire").value == D("46")
    assert summary.measures_fed == {good_job.pk}


def test_a_dry_run_writes_nothing(setup):
    summary = import_results(source=csv_file(*GOOD), filename="results.csv", dry_run=True)
    assert summary.ok and not summary.written
    assert summary.new == 3
    assert not Result.objects.exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(setup):
    import_results(source=csv_file(*GOOD), filename="results.csv")
    summary = import_results(source=csv_file(*GOOD), filename="results.csv")
    assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 3)
    assert not summary.written


def test_a_changed_figure_is_listed_in_the_preview(setup, areas):
    october, police_work = setup
    result(october, police_work, areas[0], "good-very-good", 44)
    summary = import_results(source=csv_file(*GOOD), filename="results.csv", dry_run=True)
    assert summary.changed == 1
    assert summary.changes == ["Row 2: West Yorkshire, Good or very good: 44% → 46%"]


@pytest.mark.parametrize(("line", "message"), [
    ("community-conversation,2020-10,police-work,leeds,,good,abc,,,,",
     "Row 2, column percentage: “abc” is not a number: enter a percentage like 79 or 79.5"),
    ("community-conversation,2020-10,police-work,leeds,,good,120,,,,",
     "Row 2, column percentage: 120% is not a percentage: enter a number from 0 to 100"),
    ("nope,2020-10,police-work,leeds,,good,40,,,,", "Row 2, column survey: No survey has the code “nope”"),
    ("community-conversation,2021-01,police-work,leeds,,good,40,,,,",
     "Row 2, column wave: No wave of Community Conversation has the code “2021-01”"),
    ("community-conversation,2020-10,nope,leeds,,good,40,,,,",
     "Row 2, column question: No question of Community Conversation has the code “nope”"),
    ("community-conversation,2020-10,police-work,york,,good,40,,,,", "Row 2, column area: No area has the code “york”"),
    ("community-conversation,2020-10,police-work,leeds,,excellent,40,,,,",
     "Row 2, column option: No option or group of the question “police-work” has the code “excellent”"),
    ("community-conversation,2020-10,police-work,leeds,night,good,40,,,,",
     "Row 2, column segment: No segment of Community Conversation has the code “night”"),
    ("community-conversation,2020-10,police-work,leeds,,good,,,,120,", "Row 2, column percentage: Give a percentage, a count or both"),
    ("community-conversation,2020-10,police-work,leeds,,good,40,,,0,", "Row 2, column base: “0” is not a whole number of people"),
    ("community-conversation,2020-10,police-work,leeds,,good,=1+1,,,,", "Row 2, column percentage"),
])
def test_a_bad_row_is_a_row_error_and_nothing_is_written(setup, line, message):
    summary = import_results(source=csv_file(line, *GOOD), filename="results.csv")
    assert not summary.ok and not summary.written
    assert any(error.startswith(message) for error in errors_of(summary)), errors_of(summary)
    assert not Result.objects.exists()
    assert not ResponseBase.objects.exists()


def test_every_bad_row_is_reported_not_only_the_first(setup):
    summary = import_results(source=csv_file(
        "community-conversation,2020-10,police-work,york,,good,40,,,,",
        *GOOD,
        "community-conversation,2020-10,police-work,leeds,,poor,abc,,,,",
    ), filename="results.csv")
    assert [error.row for error in summary.errors] == [2, 6]


def test_a_duplicate_row_is_a_row_error(setup):
    summary = import_results(source=csv_file(*GOOD, GOOD[0]), filename="results.csv")
    assert errors_of(summary) == [
        "Row 5, column option: Duplicate row: row 2 gives the same survey, wave, question, area, segment and option"
    ]
    assert not Result.objects.exists()


def test_rows_of_one_area_may_not_give_two_bases(setup):
    summary = import_results(source=csv_file(
        GOOD[0], GOOD[1].replace(",950,", ",900,"),
    ), filename="results.csv")
    assert errors_of(summary) == [
        "Row 3, column base: 900 differs from the base 950 on row 2 for the same wave, question, area and segment"
    ]


def test_options_adding_up_to_more_than_100_are_refused(setup):
    summary = import_results(source=csv_file(
        "community-conversation,2020-10,police-work,leeds,,good,60,,,,",
        "community-conversation,2020-10,police-work,leeds,,poor,45,,,,",
    ), filename="results.csv")
    assert errors_of(summary) == [
        "Row 2, column percentage: Leeds: the options add up to 105%, more than 100%. Each person gives one "
        "answer to this question, so check each figure"
    ]


def test_a_missing_or_unknown_column_is_a_file_error(setup):
    summary = import_results(source=b"survey,wave,question,area,answer\n", filename="results.csv")
    assert errors_of(summary) == [
        "Row 1, column answer: Unknown column “answer”: the columns are survey, wave, question, area, "
        "segment, option, percentage, count, rank, base, note",
        "Row 1, column option: The column “option” is missing",
    ]


def test_a_file_that_is_not_a_spreadsheet_is_refused(setup):
    summary = import_results(source=b"PK\x03\x04 not really", filename="results.xlsx")
    assert not summary.ok
    assert summary.errors[0].row == 0


def xlsx_file(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_file_is_read_like_a_csv(setup):
    content = xlsx_file([
        HEADER.split(","),
        ["community-conversation", "2020-10", "police-work", "leeds", None, "good", 40.5, None, None, 120, None],
    ])
    summary = import_results(source=content, filename="results.xlsx")
    assert summary.ok, errors_of(summary)
    assert Result.objects.get().percentage == D("40.5")


def test_a_formula_in_an_xlsx_file_is_never_evaluated(setup):
    content = xlsx_file([
        HEADER.split(","),
        ["community-conversation", "2020-10", "police-work", "leeds", None, "good", "=20*2", None, None, None, None],
    ])
    summary = import_results(source=content, filename="results.xlsx")
    assert errors_of(summary) == ["Row 2, column percentage: “=20*2” is a spreadsheet formula: paste the values instead"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(setup, areas, file_format):
    october, police_work = setup
    attended = segment(october.survey, "attended")
    result(october, police_work, areas[0], "good-very-good", "49.5", base=1039)
    result(october, police_work, areas[0], "poor-very-poor", 17, count=177, base=1039)
    result(october, police_work, areas[4], "good", 40, segment=attended, base=120)
    Result.objects.filter(area=areas[4]).update(note="=HYPERLINK(\"x\")")
    content = export_results(survey=october.survey, file_format=file_format)
    summary = import_results(source=content, filename=f"results.{file_format}")
    assert summary.ok, errors_of(summary)
    assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 3)
    if file_format == "csv":
        text = content.decode()
        assert text.splitlines()[0] == HEADER
        assert "community-conversation,2020-10,police-work,west-yorkshire,,good-very-good,49.5,,,1039," in text
        assert "'=HYPERLINK" in text  # neutralised against formula injection


def test_the_import_pages_check_first_then_import_on_confirmation(staff_client, setup):
    upload = SimpleUploadedFile("results.csv", csv_file(*GOOD), content_type="text/csv")
    response = staff_client.post(reverse("surveys:import"), {"file": upload})
    html = response.content.decode()
    assert "3 rows, 3 new, 0 changed, 0 unchanged" in html
    assert not Result.objects.exists()
    confirm = response.context["confirm"]
    response = staff_client.post(reverse("surveys:import-confirm"), {
        "token": confirm["token"].value(), "sha256": confirm["sha256"].value(),
    })
    assert response.status_code == 302
    assert Result.objects.count() == 3


def test_the_import_page_lists_row_errors_and_offers_no_import(staff_client, setup):
    upload = SimpleUploadedFile("results.csv", csv_file(GOOD[0].replace(",46,", ",146,")), content_type="text/csv")
    html = staff_client.post(reverse("surveys:import"), {"file": upload}).content.decode()
    assert "<title>Error: " in html
    assert "146% is not a percentage" in html
    assert "surveys/import/confirm/" not in html


def test_a_file_of_another_type_is_refused(staff_client, setup):
    upload = SimpleUploadedFile("results.pdf", b"%PDF", content_type="application/pdf")
    html = staff_client.post(reverse("surveys:import"), {"file": upload}).content.decode()
    assert "The file must be a CSV or an Excel (.xlsx) file" in html
