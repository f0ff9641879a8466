"""Reading reports: the published list, a version's page, its PDF and downloads; the staff preview.

Public pages read only published versions, served from their frozen snapshot in a fixed, small
number of queries: the list of versions, and the version (without its data) unless its page is
already in memory. The preview, for OPCC staff only, builds the draft from live data with the
same templates.
"""

import threading
import time
from collections import OrderedDict

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from organisations.roles import is_opcc_staff, staff_required
from reports import exports
from reports.models import Report, ReportVersion
from reports.rendering import build_report, render_body

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _published_versions(slug: str):
    return ReportVersion.objects.filter(report__slug=slug, report__status=Report.Status.PUBLISHED)


def _version_or_404(slug: str, number: int | None, *, fields: str = "page") -> ReportVersion:
    versions = _published_versions(slug).select_related("report")
    if fields == "page":
        versions = versions.defer("data")
    elif fields == "data":
        versions = versions.defer("body_html")
    else:  # the PDF only
        versions = versions.defer("data", "body_html")
    if number is None:
        version = versions.order_by("-number").first()
    else:
        version = versions.filter(number=number).first()
    if version is None:
        raise Http404("No published report here")
    return version


@require_GET
def report_list(request):
    published = list(Report.objects.published().for_listing())
    drafts = []
    if is_opcc_staff(request.user):
        drafts = list(Report.objects.filter(status=Report.Status.DRAFT).select_related("period"))
    return render(request, "reports/list.html", {"reports": published, "drafts": drafts})


class PageCache:
    """What an anonymous reader's page of a version needs, kept in memory by each server process.

    A published version never changes, so its page for a reader who is not signed in is the same
    bytes every time until a newer version is published (which changes the "latest version" and
    "all versions" parts). Pages are therefore keyed by the version and the latest version's
    number, and never need invalidating. The list of a report's versions is kept for a few
    seconds only, so a new version reaches every reader within ``VERSIONS_SECONDS``; within that
    time a page costs no query at all, which is what lets it keep pace with a static file.
    Bounded, so memory stays small (about 350 KB a page).
    """

    VERSIONS_SECONDS = 5.0

    def __init__(self, size: int = 16):
        self.size = size
        self._pages: OrderedDict[tuple, bytes] = OrderedDict()
        self._versions: dict[str, tuple[float, list]] = {}
        self._lock = threading.Lock()

    def versions(self, slug: str) -> list | None:
        with self._lock:
            found = self._versions.get(slug)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def keep_versions(self, slug: str, versions: list) -> None:
        with self._lock:
            if len(self._versions) > self.size:
                self._versions.clear()
            self._versions[slug] = (time.monotonic() + self.VERSIONS_SECONDS, versions)

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: bytes) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._versions.clear()


page_cache = PageCache()


def _same_for_everyone(request) -> bool:
    """Not signed in and carrying no cookie (no session, no messages): the page is shared."""
    return not request.user.is_authenticated and not request.COOKIES


@require_GET
def report_detail(request, slug):
    return _version_page(request, slug, None)


@require_GET
def version_detail(request, slug, number):
    return _version_page(request, slug, number)


def _version_page(request, slug: str, number: int | None):
    shared = _same_for_everyone(request)
    history = page_cache.versions(slug) if shared else None
    if history is None:
        # 1: every published version's number and note, without the frozen content (small rows).
        history = list(
            ReportVersion.objects.listing()
            .filter(report__slug=slug, report__status=Report.Status.PUBLISHED)
            .only("number", "note", "published_at", "report_id")
        )
        if shared and history:
            page_cache.keep_versions(slug, history)
    if not history:
        if number is None and is_opcc_staff(request.user) and Report.objects.filter(slug=slug).exists():
            return redirect("reports:preview", slug=slug)  # staff reach a draft through its preview
        raise Http404("No published report here")
    latest = history[0]
    shown = latest if number is None else next((v for v in history if v.number == number), None)
    if shown is None:
        raise Http404("No such version")
    key = (shown.pk, latest.number, request.path)
    if shared and (page := page_cache.get(key)) is not None:
        return HttpResponse(page)
    # 2: the version's frozen page, without its data.
    version = ReportVersion.objects.select_related("report").defer("data").get(pk=shown.pk)
    revisions = sorted(
        (v for v in history if v.is_revision and v.number <= version.number), key=lambda v: v.number
    )
    response = render(
        request,
        "reports/report.html",
        {
            "report": version.report,
            "version": version,
            "title": version.title,
            "subtitle": version.subtitle,
            "body": version.body_html,
            "history": history,
            "revisions": revisions,
            "latest": latest,
            "is_latest": latest.number == version.number,
            "at_version_address": number is not None,
        },
    )
    if shared and response.status_code == 200:
        page_cache.put(key, response.content)
    return response


@require_GET
def report_pdf(request, slug, number=None):
    version = _version_or_404(slug, number, fields="pdf")
    if not version.pdf:
        raise Http404("This version has no PDF")
    return FileResponse(
        version.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"{slug}-v{version.number}.pdf",
    )


def _download(table: dict, *, fmt: str, filename: str, title: str, about: list[tuple[str, str]]):
    if fmt == "csv":
        response = HttpResponse(exports.table_csv(table), content_type=CONTENT_TYPES["csv"])
    else:
        content = exports.tables_xlsx(title=title, about=about, tables=[table])
        response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _about(*, report_title: str, period: str, version: str, source: str) -> list[tuple[str, str]]:
    return [
        ("Report", report_title),
        ("Period", period),
        ("Version", version),
        ("Source", source),
        (
            "About these figures",
            "Every difference, percentage change, trend and significance flag is computed by the "
            "app from the figures. Percentages and rates differ in percentage points. "
            "[x] means the figure is not available (it is not zero).",
        ),
    ]


@require_GET
def measures_download(request, slug, fmt, number=None):
    version = _version_or_404(slug, number, fields="data")
    table = version.data.get("measures")
    if not table:
        raise Http404("This version has no measures table")
    return _download(
        table, fmt=fmt, filename=f"{slug}-v{version.number}-measures", title=table["title"],
        about=_about(
            report_title=version.title, period=version.period_label,
            version=f"Version {version.number}, published {version.published_at:%-d %B %Y}",
            source="Delivery Quarterly, Office of the Police and Crime Commissioner",
        ),
    )


@require_GET
def table_download(request, slug, key, fmt, number=None):
    version = _version_or_404(slug, number, fields="data")
    table = version.data.get("tables", {}).get(key)
    if table is None:
        raise Http404("No such table in this version")
    return _download(
        table, fmt=fmt, filename=f"{slug}-v{version.number}-{slugify(table['title'])[:60]}",
        title=table["title"],
        about=_about(
            report_title=version.title, period=version.period_label,
            version=f"Version {version.number}, published {version.published_at:%-d %B %Y}",
            source="Delivery Quarterly, Office of the Police and Crime Commissioner",
        ),
    )


# Staff preview of the draft -------------------------------------------------------------------


def _draft_or_404(slug: str) -> Report:
    return get_object_or_404(Report.objects.select_related("period"), slug=slug)


@staff_required
@require_GET
def preview(request, slug):
    report = _draft_or_404(slug)
    built = build_report(report)
    return render(
        request,
        "reports/report.html",
        {
            "report": report,
            "preview": True,
            "title": built.title,
            "subtitle": built.subtitle,
            "body": render_body(built),
        },
    )


@staff_required
@require_GET
def preview_measures_download(request, slug, fmt):
    report = _draft_or_404(slug)
    table = build_report(report).measures
    return _download(
        table, fmt=fmt, filename=f"{slug}-draft-measures", title=table["title"],
        about=_about(report_title=report.title, period=report.period.label, version="Draft: not published",
                     source="Delivery Quarterly, Office of the Police and Crime Commissioner"),
    )


@staff_required
@require_GET
def preview_table_download(request, slug, key, fmt):
    report = _draft_or_404(slug)
    table = build_report(report).tables().get(key)
    if table is None:
        raise Http404("No such table in this report")
    return _download(
        table, fmt=fmt, filename=f"{slug}-draft-{slugify(table['title'])[:60]}", title=table["title"],
        about=_about(report_title=report.title, period=report.period.label, version="Draft: not published",
                     source="Delivery Quarterly, Office of the Police and Crime Commissioner"),
    )
