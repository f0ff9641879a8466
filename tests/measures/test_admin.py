"""The measures admin: staff import with a preview and a confirm, export, edit and recalculate."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from jobs.models import Job
from measures import admin as measures_admin
from measures.importing import import_values
from measures.models import Measure, Period, QualityFlag, Recalculation, Value
from tests.measures.importing_data import csv_file, good_rows, make_framework

pytestmark = pytest.mark.django_db

IMPORT = "/admin/measures/value/import/"
CONFIRM = "/admin/measures/value/import/confirm/"
EXPORT = "/admin/measures/value/export/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def framework():
    return make_framework()


def upload(client, rows, url=IMPORT, name="figures.csv", content=None):
    data = content if content is not None else csv_file(rows)
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def confirm_data(response) -> dict:
    pending = response.context["pending"]
    return {"token": pending["token"], "sha256": pending["sha256"]}


# Who may -------------------------------------------------------------------------------------------------

STAFF_PAGES = [
    "/admin/measures/area/", "/admin/measures/priority/", "/admin/measures/objective/",
    "/admin/measures/measure/", "/admin/measures/value/", "/admin/measures/period/",
    "/admin/measures/result/", "/admin/measures/qualityflag/", "/admin/measures/recalculation/",
    "/admin/measures/measure/add/", "/admin/measures/value/add/", IMPORT, EXPORT, "/admin/measures/measure/import/",
    "/admin/measures/measure/export/", "/admin/measures/measure/recalculate-all/",
]


def test_staff_reach_every_measures_admin_page(framework, staff_client):
    for path in STAFF_PAGES:
        assert staff_client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", ["anonymous", "partner", "panel"])
def test_partners_the_panel_and_the_public_are_sent_to_sign_in(framework, role_clients, role):
    client = role_clients[role]
    for path in [*STAFF_PAGES, CONFIRM]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/admin/login/" in response["Location"]
    response = upload(client, good_rows())
    assert response.status_code == 302
    assert client.post(CONFIRM, {"token": "x", "sha256": "y"}).status_code == 302
    assert client.post("/admin/measures/measure/recalculate-all/").status_code == 302
    assert not Value.objects.exists() and not Job.objects.exists()


def test_staff_without_the_change_permission_cannot_import(framework, staff_user, client):
    from django.contrib.auth.models import Permission

    staff_user.groups.clear()
    staff_user.user_permissions.add(Permission.objects.get(codename="view_value"))
    client.force_login(staff_user)
    assert client.get(IMPORT).status_code == 403


# Import: preview and confirm -------------------------------------------------------------------------------


def test_the_preview_shows_what_would_change_and_writes_nothing(framework, staff_client):
    import_values(source=csv_file(good_rows()[:2]), filename="figures.csv")
    rows = good_rows()
    rows[0][4] = "292,071"
    response = upload(staff_client, rows)
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 new, 1 changed, 1 unchanged" in html
    assert "total-recorded-crime west-yorkshire 12M-2019-12" in html
    assert 'name="token"' in html
    assert Value.objects.count() == 2
    assert Value.objects.get(period__code="12M-2019-12").value == D(292070)


def test_confirming_imports_the_stored_file_as_the_staff_member(framework, staff_client, staff_user):
    preview = upload(staff_client, good_rows())
    response = staff_client.post(CONFIRM, confirm_data(preview), follow=True)
    assert response.redirect_chain[-1][0] == "/admin/measures/value/"
    assert "5 new, 0 changed, 0 unchanged" in response.content.decode()
    assert Value.objects.count() == 5
    assert set(Value.objects.values_list("entered_by", flat=True)) == {staff_user.pk}
    assert Recalculation.objects.exists()
    assert not default_storage.listdir("imports")[1]  # the upload is gone once imported


def test_a_preview_can_be_confirmed_only_once(framework, staff_client):
    data = confirm_data(upload(staff_client, good_rows()))
    staff_client.post(CONFIRM, data)
    response = staff_client.post(CONFIRM, data, follow=True)
    assert "That preview is no longer available" in response.content.decode()
    assert Value.objects.count() == 5


def test_every_row_error_is_shown_with_its_row_and_column_and_there_is_nothing_to_confirm(framework, staff_client):
    rows = good_rows()
    rows[1][1] = "york"
    rows[3][4] = "lots"
    response = upload(staff_client, rows)
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "2 errors: nothing has been imported" in html
    assert "<td>3</td>" in html and "<td>area</td>" in html and "Unknown area “york”" in html
    assert "<td>5</td>" in html and "<td>value</td>" in html and "“lots” is not a number" in html
    assert 'name="token"' not in html
    assert not default_storage.exists("imports") or not default_storage.listdir("imports")[1]
    assert not Value.objects.exists()


def test_a_file_that_is_not_csv_or_xlsx_is_refused_by_the_form(framework, staff_client):
    response = upload(staff_client, [], name="figures.pdf", content=b"%PDF")
    assert "Upload a .csv or .xlsx file" in response.content.decode()


def test_the_confirm_refuses_a_hash_that_is_not_the_previewed_one(framework, staff_client):
    data = confirm_data(upload(staff_client, good_rows()))
    data["sha256"] = "0" * 64
    response = staff_client.post(CONFIRM, data, follow=True)
    assert "The file confirmed is not the file previewed" in response.content.decode()
    assert not Value.objects.exists()


def test_a_file_changed_between_preview_and_confirm_is_refused(framework, staff_client):
    preview = upload(staff_client, good_rows())
    name = staff_client.session[measures_admin.SESSION_KEY][preview.context["pending"]["token"]]["upload"]
    with default_storage.open(name, "wb") as handle:
        handle.write(csv_file([["total-recorded-crime", "west-yorkshire", "", "2020-12", "1", "", "", ""]]))
    response = staff_client.post(CONFIRM, confirm_data(preview), follow=True)
    assert "The file changed after it was previewed" in response.content.decode()
    assert not Value.objects.exists()


def test_the_confirm_revalidates_and_shows_errors_that_appeared_since_the_preview(framework, staff_client):
    preview = upload(staff_client, good_rows())
    Measure.objects.filter(code="feeling-safe").update(unit="count")  # 86% is now wrong
    response = staff_client.post(CONFIRM, confirm_data(preview))
    html = response.content.decode()
    assert "has a % sign, but measure feeling-safe is a count" in html
    assert not Value.objects.exists()


def test_a_large_import_runs_as_a_job_with_progress(framework, staff_client, staff_user, django_capture_on_commit_callbacks):
    rows = [
        ["total-recorded-crime", area, "", f"{year}-{month:02d}", str(year * month), "", "", ""]
        for area in ["west-yorkshire", "bradford"]
        for year in range(2013, 2100)
        for month in range(1, 13)
    ][: measures_admin.INLINE_IMPORT_ROWS + 1]
    preview = upload(staff_client, rows)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(CONFIRM, confirm_data(preview))
    job = Job.objects.get(kind="import")
    assert response["Location"] == f"/admin/jobs/job/{job.pk}/change/"
    assert job.state == Job.State.SUCCEEDED
    assert job.requested_by == staff_user
    assert job.result["new"] == len(rows)
    assert Value.objects.count() == len(rows)
    assert set(Value.objects.values_list("entered_by", flat=True)) == {staff_user.pk}


def test_the_framework_imports_through_the_same_preview_and_confirm(db, staff_client):
    content = open("demo/framework.csv", "rb").read()
    preview = upload(staff_client, [], url="/admin/measures/measure/import/", content=content)
    assert "58 new, 0 changed, 0 unchanged" in preview.content.decode()
    staff_client.post("/admin/measures/measure/import/confirm/", confirm_data(preview))
    assert Measure.objects.count() == 58


def test_a_values_preview_cannot_be_confirmed_as_a_framework_import(framework, staff_client):
    data = confirm_data(upload(staff_client, good_rows()))
    response = staff_client.post("/admin/measures/measure/import/confirm/", data, follow=True)
    assert "That preview is no longer available" in response.content.decode()


# Export ---------------------------------------------------------------------------------------------------


def test_staff_export_the_filtered_figures_as_csv(framework, staff_client):
    import_values(source=csv_file(good_rows()), filename="figures.csv")
    page = staff_client.get(EXPORT + f"?area__id__exact={framework.bradford.pk}")
    assert "1 figure matches the list’s filters" in page.content.decode()
    response = staff_client.post(EXPORT + f"?area__id__exact={framework.bradford.pk}", {"format": "csv"})
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["measure", "area", "breakdown", "period", "value", "numerator", "denominator", "note"],
        ["total-recorded-crime", "bradford", "", "12M-2020-12", "", "", "", "not yet published"],
    ]


def test_staff_export_one_period_as_xlsx_and_it_imports_back_unchanged(framework, staff_client):
    import_values(source=csv_file(good_rows()), filename="figures.csv")
    response = staff_client.post(EXPORT, {"format": "xlsx", "period": "12m-2020-12"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    summary = import_values(source=response.content, filename="figures.xlsx")
    assert summary.counts == "0 new, 0 changed, 3 unchanged"


def test_the_changelists_have_import_and_export_buttons(framework, staff_client):
    html = staff_client.get("/admin/measures/value/?q=crime").content.decode()
    assert 'href="/admin/measures/value/import/"' in html
    assert 'href="/admin/measures/value/export/?q=crime"' in html
    html = staff_client.get("/admin/measures/measure/").content.decode()
    assert 'href="/admin/measures/measure/import/"' in html
    assert 'href="/admin/measures/measure/recalculate-all/"' in html


# Editing figures --------------------------------------------------------------------------------------------


def test_staff_add_a_figure_typed_as_an_analyst_would(framework, staff_client, staff_user):
    response = staff_client.post("/admin/measures/value/add/", {
        "measure": framework.crime.pk, "area": framework.force.pk, "period_code": "dec-20",
        "value": "1,234", "numerator": "", "denominator": "n/a", "note": "", "source": "", "data_as_at": "",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    value = Value.objects.get()
    assert (value.period.code, value.value, value.denominator, value.entered_by) == ("2020-12", D(1234), None, staff_user)
    assert Recalculation.objects.filter(measure=framework.crime).exists()


def test_the_figure_form_refuses_what_an_import_would(framework, staff_client):
    import_values(source=csv_file(good_rows()), filename="figures.csv")
    response = staff_client.post("/admin/measures/value/add/", {
        "measure": framework.safe.pk, "area": framework.force.pk, "breakdown": framework.cohort.pk,
        "period_code": "2020-06", "value": "101",
    })
    errors = response.context["adminform"].form.errors
    assert "between 0 and 100" in str(errors["value"])
    assert "breakdown of another measure" in str(errors["breakdown"])
    response = staff_client.post("/admin/measures/value/add/", {
        "measure": framework.safe.pk, "area": framework.force.pk, "period_code": "2020-06", "value": "5",
    })
    assert "There is already a figure" in str(response.context["adminform"].form.errors)
    response = staff_client.post("/admin/measures/value/add/", {
        "measure": framework.safe.pk, "area": framework.force.pk, "period_code": "2019-21", "value": "5",
    })
    assert "it should be 2019-20" in str(response.context["adminform"].form.errors["period_code"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pghistory's triggers need PostgreSQL")
def test_a_figure_page_shows_its_history_who_when_and_old_to_new(framework, staff_client, staff_user):
    import_values(source=csv_file(good_rows()), filename="figures.csv", username="importer")
    value = Value.objects.get(measure=framework.crime, area=framework.force, period__code="12M-2019-12")
    staff_client.post(f"/admin/measures/value/{value.pk}/change/", {
        "measure": framework.crime.pk, "area": framework.force.pk, "period_code": "12M-2019-12",
        "value": "292,071", "note": "revised",
    })
    html = staff_client.get(f"/admin/measures/value/{value.pk}/change/").content.decode()
    assert "Every change to this figure, newest first" in html
    assert "value: 292070 → 292071" in html
    assert "<td>staff</td>" in html and "<td>importer</td>" in html
    assert "<td>import</td>" in html and "<td>admin</td>" in html


def test_a_measure_page_edits_only_its_most_recent_figures_and_links_to_all(framework, staff_client, settings):
    rows = [
        ["total-recorded-crime", "west-yorkshire", "", f"2019-{month:02d}", str(month), "", "", ""]
        for month in range(1, 13)
    ] + [
        ["total-recorded-crime", "bradford", "", f"2020-{month:02d}", str(month), "", "", ""]
        for month in range(1, 13)
    ] + [["total-recorded-crime", "west-yorkshire", "", "2021-01", "99", "", "", ""]]
    import_values(source=csv_file(rows), filename="figures.csv")
    response = staff_client.get(f"/admin/measures/measure/{framework.crime.pk}/change/")
    formset = next(
        formset for formset in response.context["inline_admin_formsets"] if formset.formset.model is Value
    ).formset
    codes = [form.instance.period.code for form in formset.initial_forms]
    assert len(codes) == measures_admin.RECENT_VALUES
    assert codes[0] == "2021-01" and "2019-01" not in codes
    assert f"?measure__id__exact={framework.crime.pk}" in response.content.decode()
    assert "25 figures" in response.content.decode()


def test_a_figure_added_on_the_measure_page_is_recorded_and_recalculated(framework, staff_client, staff_user):
    page = staff_client.get(f"/admin/measures/measure/{framework.safe.pk}/change/")
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[f"{management.prefix}-{name}"] = management.initial.get(name, field.initial)
    form = page.context["adminform"].form
    for name in form.fields:
        value = form.initial.get(name)
        if value is not None:
            data[name] = value.pk if hasattr(value, "pk") else value
    data.update({"is_headline": "", "is_new": "", "districts_sum": "", "numerator": "", "denominator": "", "factor": ""})
    prefix = next(f.formset.prefix for f in page.context["inline_admin_formsets"] if f.formset.model is Value)
    data.update({
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-period_code": "2020-10", f"{prefix}-0-area": framework.force.pk, f"{prefix}-0-value": "79%",
    })
    response = staff_client.post(f"/admin/measures/measure/{framework.safe.pk}/change/", data)
    assert response.status_code == 302, [f.formset.errors for f in response.context["inline_admin_formsets"]]
    value = Value.objects.get(measure=framework.safe)
    assert (value.value, value.period.code, value.entered_by) == (D(79), "2020-10", staff_user)
    assert Recalculation.objects.filter(measure=framework.safe).exists()


def test_the_figures_list_takes_the_same_queries_for_n_and_2n_rows(framework, staff_client, django_assert_num_queries):
    def add(months):
        import_values(source=csv_file([
            ["total-recorded-crime", area, "", f"2019-{month:02d}", "1", "", "", ""]
            for area in ["west-yorkshire", "bradford"] for month in months
        ]), filename="figures.csv")

    add(range(1, 4))
    staff_client.get("/admin/measures/value/")  # warm the session and permission caches
    # Session, user, 2 × permissions, the priority, area and period filters, the count, the page
    # of figures with everything it shows joined in, and the user's groups (the navigation).
    with django_assert_num_queries(10) as first:
        staff_client.get("/admin/measures/value/")
    add(range(4, 7))
    with django_assert_num_queries(len(first.captured_queries)):
        staff_client.get("/admin/measures/value/")


def test_the_figures_list_filters_by_priority_area_period_kind_and_period(framework, staff_client):
    import_values(source=csv_file(good_rows()), filename="figures.csv")
    page = staff_client.get("/admin/measures/value/?period__kind__exact=month&period=2020-06")
    assert page.context["cl"].result_count == 1
    page = staff_client.get(f"/admin/measures/value/?measure__objective__priority__id__exact={framework.priority.pk}&q=crime")
    assert page.context["cl"].result_count == 3


# Recalculation and data quality ---------------------------------------------------------------------------


def test_the_recalculate_action_queues_a_job_for_the_chosen_measures(framework, staff_client):
    response = staff_client.post("/admin/measures/measure/", {
        "action": "recalculate", "_selected_action": [framework.crime.pk],
    }, follow=True)
    job = Job.objects.get(kind="recalculate")
    assert job.arguments["measure_ids"] == [framework.crime.pk]
    assert f"/admin/jobs/job/{job.pk}/change/" in response.content.decode()


def test_recalculate_everything_asks_first_then_queues_one_job_per_share(framework, staff_client, settings):
    settings.RECALCULATION_SHARES = 2
    page = staff_client.get("/admin/measures/measure/recalculate-all/")
    assert "all 3 measures" in page.content.decode()
    assert not Job.objects.exists()
    response = staff_client.post("/admin/measures/measure/recalculate-all/")
    assert response["Location"] == "/admin/jobs/job/?kind__exact=recalculate"
    shares = [job.arguments["measure_ids"] for job in Job.objects.filter(kind="recalculate").order_by("pk")]
    assert [len(share) for share in shares] == [2, 1]
    assert sorted(sum(shares, [])) == sorted(Measure.objects.values_list("pk", flat=True))


def test_data_quality_lists_every_flag_on_one_page_and_is_read_only(framework, staff_client):
    from django.utils import timezone

    period = Period.objects.for_codes(["2020-12"])["2020-12"]
    QualityFlag.objects.create(
        measure=framework.crime, area=framework.force, period=period, kind="districts",
        given=D(10), expected=D(11), message="West Yorkshire 10 is not the sum of its districts, 11",
        computed_at=timezone.now(),
    )
    page = staff_client.get("/admin/measures/qualityflag/")
    html = page.content.decode()
    assert "<h1>Data quality</h1>" in html
    assert "not the sum of its districts" in html
    assert page.context["cl"].list_per_page >= 1000
    assert staff_client.get("/admin/measures/qualityflag/add/").status_code == 403
    assert staff_client.get("/admin/measures/period/add/").status_code == 403
    assert staff_client.get("/admin/measures/result/add/").status_code == 403
