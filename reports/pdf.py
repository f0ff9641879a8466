"""The report as a PDF, rendered by WeasyPrint from the same HTML readers see.

The PDF is rendered once, when a version is published (in Celery), and stored, so readers never
wait for it. WeasyPrint may fetch nothing but the app's own static files (stylesheets, and the
images they name): the HTML comes from staff-edited text and data, and a PDF renderer that fetched
any URL it found would let that text reach the network from the server.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.templatetags.static import static

# A host that can never resolve (RFC 6761): links and stylesheets are written against it, and
# the fetcher below answers for it from the static files on disk.
PDF_ORIGIN = "https://report.invalid"

logger = logging.getLogger(__name__)

# WeasyPrint warns about every CSS property of GOV.UK Frontend it does not support and logs each
# rendering step (some at import): expected, and they would drown a real problem in the log.
for _name in ("weasyprint", "weasyprint.progress"):
    logging.getLogger(_name).setLevel(logging.ERROR)


class RefusedFetch(ValueError):
    pass


def static_file_path(name: str) -> Path | None:
    """A static file's path on disk: from its source in development, else from STATIC_ROOT."""
    found = finders.find(name)
    if found:
        return Path(found)
    try:
        path = Path(staticfiles_storage.path(name))
    except (NotImplementedError, ValueError):
        return None
    root = Path(settings.STATIC_ROOT).resolve()
    path = path.resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def _make_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_prefix = urlsplit(settings.STATIC_URL).path or "/static/"
    origin = urlsplit(PDF_ORIGIN)

    class StaticOnlyFetcher(URLFetcher):
        """Serves data: URLs (the charts) and the app's static files; refuses everything else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if (
                parts.scheme == origin.scheme
                and parts.netloc == origin.netloc
                and parts.path.startswith(static_prefix)
            ):
                name = unquote(parts.path[len(static_prefix):])
                path = static_file_path(name) if ".." not in name.split("/") else None
                if path is not None:
                    mime, _ = mimetypes.guess_type(path.name)
                    return URLFetcherResponse(
                        url, path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
                    )
            logger.info("The PDF renderer refused to fetch %s", url)
            raise RefusedFetch(f"The PDF may only use the app's own static files, not {url}")

    return StaticOnlyFetcher()


def pdf_html(*, title: str, subtitle: str, body_html: str, slug: str, version: int | None) -> str:
    stylesheets = [
        f"{PDF_ORIGIN}{static(name)}"
        for name in (
            "vendor/govuk/govuk-frontend.min.css",
            "css/app.css",
            "css/report.css",
            "css/print.css",
        )
    ]
    return render_to_string(
        "reports/pdf.html",
        {
            "title": title, "subtitle": subtitle, "body_html": body_html,
            "stylesheets": stylesheets, "version": version,
        },
    )


def render_pdf(html: str, *, slug: str) -> bytes:
    """PDF bytes for this HTML; raises if WeasyPrint fails, so publishing stops."""
    import weasyprint

    document = weasyprint.HTML(
        string=html,
        base_url=f"{PDF_ORIGIN}/reports/{slug}/",
        url_fetcher=_make_fetcher(),
        media_type="print",
    )
    # PDF/UA: a tagged PDF (headings, lists, tables and image alternatives in a structure tree),
    # so that a screen reader can find its way through the report as through the web page.
    return document.write_pdf(pdf_variant="pdf/ua-1")
