"""The quarterly report: its structure (sections and blocks, kept as data) and its published versions.

A draft report is live: previewing it renders today's figures. Publishing freezes a ReportVersion
holding the rendered HTML of every section and block, the data behind every table and chart, and
the PDF, so a later edit to a figure, a comment or an update never changes what was published
(docs/adr/0006-report-snapshots.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class ReportQuerySet(models.QuerySet):
    def published(self):
        """Reports with at least one published version: the only ones the public may see."""
        return self.filter(status=Report.Status.PUBLISHED)

    def for_listing(self):
        """Newest quarter first, with the date of the latest version, in one query."""
        return (
            self.select_related("period")
            .annotate(last_published_at=models.Max("versions__published_at"))
            .annotate(version_count=models.Count("versions"))
            .order_by("-period__end")
        )


class Report(models.Model):
    """One Delivery Quarterly report: one per financial quarter."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    period = models.OneToOneField(
        "measures.Period",
        on_delete=models.PROTECT,
        related_name="report",
        help_text="The financial quarter the report covers, e.g. 2020-21-Q3.",
    )
    slug = models.SlugField(max_length=40, unique=True, help_text="Its web address, e.g. 2020-21-q3.")
    title = models.CharField(max_length=200, default="Delivery Quarterly Report")
    subtitle = models.CharField(
        max_length=200, blank=True, help_text="Printed under the title, e.g. “October to December 2020”."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period__end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="report_status_known"
            )
        ]

    def __str__(self):
        return f"{self.title}: {self.subtitle or self.period_id}"

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.slug])

    def get_preview_url(self):
        return reverse("reports:preview", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Section(models.Model):
    """A numbered section of the report (1 current measures … 5, glossary)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    number = models.CharField(max_length=10, blank=True, help_text="As printed, e.g. “2”. Empty for the glossary.")
    title = models.CharField(max_length=200)
    priority = models.ForeignKey(
        "measures.Priority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The plan priority the section reports on: its delivery updates come from it.",
    )

    class Meta:
        ordering = ["report", "order", "pk"]

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    @property
    def anchor(self) -> str:
        return f"section-{self.number or self.pk}".replace(".", "-")


class BlockKind(models.TextChoices):
    CURRENT_MEASURES = "current-measures", "Current measures table"
    MEASURE_TABLE = "measure-table", "Measure table"
    CHART = "chart", "Chart"
    COMMENTARY = "commentary", "Commentary"
    DELIVERY_UPDATES = "delivery-updates", "Delivery updates"
    SURVEY = "survey", "Survey results"
    GLOSSARY = "glossary", "Glossary"


class Block(models.Model):
    """One piece of a section: a table, a chart, a paragraph of commentary, updates, the glossary.

    ``config`` says what a table or chart shows (measures, areas, periods, layout); its shape per
    kind is checked by reports/blocks.py, so a bad configuration gets a message, not a broken page.
    """

    Kind = BlockKind

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="blocks")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=BlockKind.choices)
    number = models.CharField(
        max_length=20, blank=True, help_text="The paragraph number as printed, e.g. “2.1.2”."
    )
    heading = models.CharField(max_length=300, blank=True)
    text = models.TextField(
        blank=True, help_text="Commentary in Markdown (**bold**, lists, links). Sanitised when shown."
    )
    config = models.JSONField(
        default=dict, blank=True, help_text="What a table or chart shows: see the admin help."
    )

    class Meta:
        ordering = ["section", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=BlockKind.values), name="block_kind_known"
            )
        ]

    def __str__(self):
        config = self.config if isinstance(self.config, dict) else {}
        label = self.heading or config.get("caption") or config.get("title") or ""
        return f"{self.number} {self.get_kind_display()}: {label}".strip()[:120]

    @property
    def key(self) -> str:
        """The block's name in download addresses and in the snapshot's data."""
        return str(self.pk)

    def clean(self):
        from reports.blocks import validate_block

        validate_block(self)


class GlossaryTerm(models.Model):
    """A glossary entry; the glossary block lists them all, and publishing freezes the list."""

    term = models.CharField(max_length=200, unique=True)
    definition = models.TextField()

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term


class MeasureComment(models.Model):
    """The comment printed beside a measure in one report's current measures table."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="measure_comments")
    measure = models.ForeignKey("measures.Measure", on_delete=models.CASCADE, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["report", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["report", "measure"], name="measure_comment_once_per_report")
        ]

    def __str__(self):
        return self.text[:80]


class ReportVersionQuerySet(models.QuerySet):
    def listing(self):
        """Versions without their (large) frozen content: for lists and revision notes."""
        return self.defer("body_html", "data").order_by("-number")


def _pdf_path(version, filename):
    return f"reports/{version.report.slug}/{filename}"


class ReportVersion(models.Model):
    """A published version: frozen, never edited. Readers see exactly this."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.TextField(blank=True, help_text="What changed since the previous version, and why.")
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=200, blank=True)
    period_label = models.CharField(max_length=60)
    body_html = models.TextField(help_text="The rendered contents list, sections and blocks.")
    data = models.JSONField(default=dict, help_text="The data behind every table and chart.")
    pdf = models.FileField(upload_to=_pdf_path, max_length=300)
    pdf_size = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="report_version_number_positive"),
            # Readers must be told why a report changed: every revision carries a note.
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(note=""), name="report_revision_has_note"
            ),
        ]

    def __str__(self):
        return f"{self.report.slug} v{self.number}"

    def get_absolute_url(self):
        return reverse("reports:version", args=[self.report.slug, self.number])

    @property
    def is_revision(self) -> bool:
        return self.number > 1
