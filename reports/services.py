"""Workflows that change several things at once: publishing a report, starting a new quarter.

Publishing is all-or-nothing. Everything that can fail slowly (reading the figures, rendering the
HTML, rendering the PDF) happens first, outside any transaction; then one short transaction takes
a lock on the report row, checks that nobody published meanwhile, and writes the version. A
failure anywhere leaves the previous version published and no half-made version behind.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from jobs import running
from jobs.models import Job
from measures import periods
from measures.models import Period
from reports.models import Block, Report, ReportVersion, Section
from reports.pdf import pdf_html, render_pdf
from reports.rendering import build_report, render_body

Progress = Callable[[int, int, str], None]


class PublishError(Exception):
    """Publishing was refused or failed; the message says why, for the person who asked."""


def next_version_number(report: Report) -> int:
    latest = report.versions.aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def check_note(*, number: int, note: str) -> str:
    note = (note or "").strip()
    if number > 1 and not note:
        raise PublishError(
            f"Version {number} revises a published report: say what changed and why in the note."
        )
    return note


def report_publish(
    *,
    report: Report,
    user,
    note: str = "",
    number: int | None = None,
    job: Job | None = None,
    progress: Progress | None = None,
) -> ReportVersion:
    """Freeze the report as it is now into a new version, with its PDF.

    ``number`` is the version the caller meant to create (the admin shows it before queuing the
    job): if someone else published in between, this one is refused rather than silently becoming
    a later version built from the same click.
    """

    def step(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 4, message)

    report = Report.objects.select_related("period").get(pk=report.pk)
    expected = number or next_version_number(report)
    note = check_note(number=expected, note=note)

    step(0, "Reading the figures and building the report")
    try:
        built = build_report(report, strict=True)
    except ValueError as error:  # a block names a measure, area or survey that has gone
        raise PublishError(f"The report cannot be built, so nothing was published: {error}") from error
    body = render_body(built)
    data = built.data()
    step(1, "Rendering the PDF")
    pdf = render_pdf(
        pdf_html(
            title=built.title, subtitle=built.subtitle, body_html=body, slug=report.slug,
            version=expected,
        ),
        slug=report.slug,
    )
    step(2, "Saving the version")

    version = ReportVersion(
        number=expected,
        note=note,
        title=built.title,
        subtitle=built.subtitle,
        period_label=built.period_label,
        body_html=body,
        data=data,
        pdf_size=len(pdf),
        published_at=timezone.now(),
        published_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
        job=job,
    )
    stored_name = None
    try:
        with transaction.atomic():
            # The lock makes two publications of one report take turns: the second sees the
            # first's version and is refused, so no number is ever used twice.
            locked = Report.objects.select_for_update().get(pk=report.pk)
            latest = next_version_number(locked) - 1
            if latest + 1 != expected:
                raise PublishError(
                    f"Version {latest} was published while this one was being prepared, so "
                    "nothing was published. Check it, then publish again if needed."
                )
            version.report = locked
            version.pdf.save(
                f"{locked.slug}-v{expected}-{secrets.token_hex(4)}.pdf", ContentFile(pdf), save=False
            )
            stored_name = version.pdf.name
            version.save()
            locked.status = Report.Status.PUBLISHED
            locked.save(update_fields=["status", "updated_at"])
    except IntegrityError as error:
        _remove(stored_name, version)
        raise PublishError(f"Version {expected} could not be saved: {error}") from error
    except BaseException:
        _remove(stored_name, version)
        raise
    # Readers of this process see the new version at once; other processes within seconds.
    transaction.on_commit(_forget_pages)
    step(4, f"Published version {expected}")
    return version


def _forget_pages() -> None:
    from reports.views import page_cache

    page_cache.clear()


def _remove(stored_name: str | None, version: ReportVersion) -> None:
    """The PDF written for a version that was never saved: delete it, leaving nothing half-done."""
    if stored_name:
        version.pdf.storage.delete(stored_name)


def request_publication(*, report: Report, user, note: str = "") -> Job:
    """Queue publication in Celery, after checking what can be checked now."""
    from reports import tasks

    number = next_version_number(report)
    note = check_note(number=number, note=note)
    return running.enqueue(
        tasks.publish_report,
        kind="report-publish",
        description=f"Publish {report.slug} version {number}",
        user=user,
        report_id=report.pk,
        number=number,
        note=note,
    )


def run_publish_job(job: Job) -> dict:
    """The work of a publication job; safe to run twice (a finished version is found, not redone)."""
    done = ReportVersion.objects.filter(job=job).first()
    if done is not None:
        return {"version": done.number, "report": done.report.slug}
    arguments = job.arguments
    report = Report.objects.get(pk=arguments["report_id"])
    version = report_publish(
        report=report,
        user=job.requested_by,
        note=arguments.get("note", ""),
        number=arguments.get("number"),
        job=job,
        progress=lambda done, total, message: job.record_progress(done, total, message),
    )
    return {"version": version.number, "report": report.slug}


# Starting a new quarter -----------------------------------------------------------------------


def shift_period_code(code: str, months: int) -> str:
    """The same kind of period ``months`` later: what a copied table should point at."""
    spec = periods.parse_period(code)
    kind = periods.PeriodKind

    def moved(year: int, month: int) -> tuple[int, int]:
        index = year * 12 + month - 1 + months
        return index // 12, index % 12 + 1

    match spec.kind:
        case kind.MONTH:
            return periods.month(*moved(spec.end.year, spec.end.month)).code
        case kind.TWELVE_MONTHS:
            return periods.twelve_months_to(*moved(spec.end.year, spec.end.month)).code
        case kind.YEAR_TO_DATE:
            return periods.year_to_date(*moved(spec.end.year, spec.end.month)).code
        case kind.QUARTER:
            year, month = moved(spec.start.year, spec.start.month)
            start_year = year if month >= 4 else year - 1
            return periods.quarter(start_year, (month - 4) % 12 // 3 + 1).code
        case kind.FINANCIAL_YEAR:
            return periods.financial_year(spec.start.year + months // 12).code
        case kind.SNAPSHOT:
            year, month = moved(spec.end.year, spec.end.month)
            import calendar
            import datetime

            day = min(spec.end.day, calendar.monthrange(year, month)[1])
            if spec.end.day == calendar.monthrange(spec.end.year, spec.end.month)[1]:
                day = calendar.monthrange(year, month)[1]  # month ends stay month ends
            return periods.snapshot(datetime.date(year, month, day)).code
    raise AssertionError(spec.kind)  # pragma: no cover


def _shift_config(config: dict, months: int) -> dict:
    def shift_address(address: dict) -> dict:
        if address.get("period"):
            return {**address, "period": shift_period_code(address["period"], months)}
        return dict(address)

    copied = dict(config)
    if "defaults" in copied:
        copied["defaults"] = shift_address(copied["defaults"])
    for name in ("rows", "columns"):
        if name in copied:
            copied[name] = [shift_address(address) for address in copied[name]]
    if "history" in copied:
        copied["history"] = [shift_period_code(code, months) for code in copied["history"]]
    return copied


def report_copy_structure(*, report: Report, period: Period | str, user) -> Report:
    """A draft report for ``period`` with the sections and blocks of ``report``.

    Tables and charts point at the new quarter: periods named in their configuration move on by
    the months between the two quarters. Headings are kept; last quarter's commentary paragraphs
    and measure comments are not copied, so nothing stale is published by mistake.
    """
    code = period.code if isinstance(period, Period) else period
    try:
        spec = periods.parse_period(code)
    except periods.InvalidPeriod as error:
        raise ValidationError({"period": str(error)}) from error
    if spec.kind is not periods.PeriodKind.QUARTER:
        raise ValidationError({"period": f"“{spec.code}” is not a quarter: use a code such as 2020-21-Q4."})
    source = Report.objects.select_related("period").get(pk=report.pk)
    months = (spec.end.year - source.period.end.year) * 12 + spec.end.month - source.period.end.month
    with transaction.atomic():
        target_period = Period.objects.for_codes([spec.code])[spec.code]
        if Report.objects.filter(period=target_period).exists():
            raise ValidationError({"period": f"There is already a report for {target_period.label}."})
        copy = Report.objects.create(
            period=target_period,
            slug=spec.code.lower(),
            title=source.title,
            subtitle="",
        )
        sections = source.sections.prefetch_related("blocks").order_by("order", "pk")
        for section in sections:
            new_section = Section.objects.create(
                report=copy, order=section.order, number=section.number, title=section.title,
                priority=section.priority,
            )
            blocks = []
            for block in section.blocks.all():
                if block.kind == Block.Kind.COMMENTARY and not block.heading:
                    continue  # last quarter's paragraph: this quarter's is still to be written
                blocks.append(Block(
                    section=new_section, order=block.order, kind=block.kind, number=block.number,
                    heading=block.heading,
                    text="" if block.kind == Block.Kind.COMMENTARY else block.text,
                    config=_shift_config(block.config or {}, months),
                ))
            Block.objects.bulk_create(blocks)
    return copy
