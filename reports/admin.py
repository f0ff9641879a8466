"""Assembling, previewing and publishing reports in the admin.

A report's sections are edited inline on the report; each section's blocks inline on the section
(Django's admin cannot nest inlines), with an "order" number on every row for the running order.
Publishing and copying a report's structure to a new quarter are pages of their own, reached from
the report (and from the list's actions), because each needs a little input: a note, a quarter.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from pccsite.admin_inlines import TabularInline
from reports import blocks as report_blocks
from reports.forms import CopyStructureForm, PublishForm
from reports.models import Block, GlossaryTerm, MeasureComment, Report, ReportVersion, Section
from reports.services import PublishError, next_version_number, report_copy_structure, request_publication


class SectionInline(TabularInline):
    model = Section
    extra = 0
    fields = ["order", "number", "title", "priority", "blocks_link"]
    readonly_fields = ["blocks_link"]
    ordering = ["order", "pk"]

    @admin.display(description="Blocks")
    def blocks_link(self, section):
        if not section.pk:
            return "Save first"
        url = reverse("admin:reports_section_change", args=[section.pk])
        return format_html('<a href="{}">Edit the blocks of this section</a>', url)


class MeasureCommentInline(TabularInline):
    model = MeasureComment
    extra = 0
    fields = ["measure", "text"]
    verbose_name = "comment in the current measures table"
    verbose_name_plural = "comments in the current measures table"


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "period", "status", "links"]
    list_filter = ["status"]
    search_fields = ["title", "subtitle", "slug"]
    readonly_fields = ["status", "links", "versions_list"]
    fields = ["period", "slug", "title", "subtitle", "status", "links", "versions_list"]
    inlines = [SectionInline, MeasureCommentInline]
    actions = ["publish_selected", "copy_structure_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("period")

    def get_urls(self):
        own = [
            path("<int:report_id>/publish/", self.admin_site.admin_view(self.publish_view),
                 name="reports_report_publish"),
            path("<int:report_id>/copy-structure/", self.admin_site.admin_view(self.copy_structure_view),
                 name="reports_report_copy_structure"),
        ]
        return own + super().get_urls()

    @admin.display(description="Preview and publish")
    def links(self, report):
        if not report.pk:
            return "Save the report first"
        return format_html(
            '<a href="{}">Preview the draft</a> · <a href="{}">Publish</a> · '
            '<a href="{}">Copy its structure to a new quarter</a>',
            report.get_preview_url(),
            reverse("admin:reports_report_publish", args=[report.pk]),
            reverse("admin:reports_report_copy_structure", args=[report.pk]),
        )

    @admin.display(description="Published versions")
    def versions_list(self, report):
        versions = list(ReportVersion.objects.listing().filter(report=report))
        if not versions:
            return "None yet"
        return format_html_join(
            "", '<p><a href="{}">Version {}</a>, {}{}</p>',
            (
                (
                    version.get_absolute_url(), version.number,
                    version.published_at.strftime("%-d %B %Y %H:%M"),
                    f": {version.note}" if version.note else "",
                )
                for version in versions
            ),
        )

    # Publishing -------------------------------------------------------------------------------

    def publish_view(self, request, report_id):
        report = get_object_or_404(Report.objects.select_related("period"), pk=report_id)
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        number = next_version_number(report)
        form = PublishForm(request.POST or None, number=number)
        if request.method == "POST" and form.is_valid():
            try:
                job = request_publication(report=report, user=request.user, note=form.cleaned_data["note"])
            except PublishError as error:
                form.add_error("note", str(error))
            else:
                self.message_user(
                    request,
                    f"Publishing version {number} of {report}: it runs in the background. "
                    f"Its progress is on job {job.pk}.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:jobs_job_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Publish {report}",
            "report": report,
            "number": number,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "reports/admin/publish.html", context)

    @admin.action(description="Publish the selected report")
    def publish_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose one report to publish.", messages.ERROR)
            return None
        return redirect(reverse("admin:reports_report_publish", args=[queryset.get().pk]))

    # Copying the structure --------------------------------------------------------------------

    def copy_structure_view(self, request, report_id):
        report = get_object_or_404(Report.objects.select_related("period"), pk=report_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CopyStructureForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                copy = report_copy_structure(report=report, period=form.cleaned_data["period"], user=request.user)
            except ValidationError as error:
                for message in error.message_dict.get("period", error.messages):
                    form.add_error("period", message)
            else:
                self.message_user(
                    request, f"Created the draft {copy} with the structure of {report}.", messages.SUCCESS
                )
                return redirect(reverse("admin:reports_report_change", args=[copy.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Copy the structure of {report} to a new quarter",
            "report": report,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "reports/admin/copy_structure.html", context)

    @admin.action(description="Copy the selected report's structure to a new quarter")
    def copy_structure_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose one report to copy.", messages.ERROR)
            return None
        return redirect(reverse("admin:reports_report_copy_structure", args=[queryset.get().pk]))


class BlockInline(admin.StackedInline):
    model = Block
    extra = 0
    fields = [("order", "kind", "number"), "heading", "text", "config"]
    ordering = ["order", "pk"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "report", "order"]
    list_filter = ["report"]
    fields = ["report", "order", "number", "title", "priority", "help"]
    readonly_fields = ["help"]
    inlines = [BlockInline]

    @admin.display(description="How blocks are configured")
    def help(self, section):
        return format_html("<pre>{}</pre>", report_blocks.__doc__.split("Configuration, per kind", 1)[-1])


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    """Published versions are frozen: they can be read here, never changed or removed."""

    list_display = ["report", "number", "published_at", "published_by", "note"]
    list_filter = ["report"]
    fields = ["report", "number", "note", "title", "subtitle", "period_label", "published_at",
              "published_by", "pdf", "pdf_size", "job"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body_html", "data").select_related("report", "published_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "definition"]
    search_fields = ["term", "definition"]
