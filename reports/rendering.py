"""Build a report from live data: what the staff preview shows and what publishing freezes.

The same templates render the preview, the published page (from the frozen body) and the PDF,
so a draft looks exactly as it will once published. Building reads everything in a fixed number
of queries (reports/figures.py), however many measures and blocks the report has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template.loader import render_to_string

from reports.blocks import BuildContext, BuiltBlock, add_needs, build_block, measures_export
from reports.figures import Figures, Needs
from reports.models import Block, GlossaryTerm, Report


@dataclass
class BuiltSection:
    number: str
    title: str
    anchor: str
    blocks: list[BuiltBlock] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass
class BuiltReport:
    title: str
    subtitle: str
    period_label: str
    sections: list[BuiltSection]
    measures: dict

    def tables(self) -> dict[str, dict]:
        return {
            block.key: block.table
            for section in self.sections
            for block in section.blocks
            if block.table is not None
        }

    def data(self) -> dict:
        """Everything behind the tables and charts, as JSON: frozen in the snapshot."""
        blocks = {}
        for section in self.sections:
            for block in section.blocks:
                blocks[block.key] = {
                    "kind": block.kind, "number": block.number, "heading": block.heading,
                    "section": section.heading, **block.extra,
                }
        return {
            "report": {"title": self.title, "subtitle": self.subtitle, "period": self.period_label},
            "tables": self.tables(),
            "measures": self.measures,
            "blocks": blocks,
        }


def load_report(slug: str) -> Report:
    return Report.objects.select_related("period").get(slug=slug)


def build_report(report: Report, *, strict: bool = False) -> BuiltReport:
    """The report's sections and blocks, built from today's figures, updates and text.

    ``strict`` (publishing): a block that cannot be built raises instead of showing a problem.
    """
    sections = list(
        report.sections.select_related("priority").prefetch_related("blocks").order_by("order", "pk")
    )
    needs = Needs(headline_measures=True)  # measures.csv lists every headline measure
    has_glossary = False
    for section in sections:
        for block in section.blocks.all():
            add_needs(block, needs)
            has_glossary |= block.kind == Block.Kind.GLOSSARY
    figures = Figures.load(quarter=report.period, needs=needs)
    context = BuildContext(
        report=report,
        figures=figures,
        comments={comment.measure_id: comment.text for comment in report.measure_comments.all()},
        glossary=list(GlossaryTerm.objects.all()) if has_glossary else [],
        strict=strict,
    )
    built_sections = []
    for section in sections:
        built = BuiltSection(number=section.number, title=section.title, anchor=section.anchor)
        for block in section.blocks.all():
            built.blocks.append(build_block(block, context))
        built_sections.append(built)
    return BuiltReport(
        title=report.title,
        subtitle=report.subtitle or report.period.label,
        period_label=report.period.label,
        sections=built_sections,
        measures=measures_export(context),
    )


def render_body(built: BuiltReport) -> str:
    """The contents list and every section: the part of the page a snapshot freezes."""
    return render_to_string("reports/body.html", {"built": built})
