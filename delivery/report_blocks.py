"""The "Update on delivery" block of a report section, as plain data the report can freeze.

`render_delivery_block` returns JSON-serialisable data: the reports app stores it in a published
version, and `templates/delivery/report_block.html` renders it without touching the database.
Bodies are included as HTML already rendered from the partner's Markdown and sanitised; the
template sanitises them once more (``sanitised`` filter), so a stored snapshot cannot carry markup
in either. Every other string is plain text, escaped by the template.

Grouping follows the seed: the police's delivery, the OPCC's delivery, then partners' delivery by
district ("All districts" first, then districts in area order, then partners with no district).
"""

from __future__ import annotations

from datetime import datetime

from delivery.markdown import render_markdown
from delivery.models import DeliveryUpdate
from delivery.presenters import financial_year_label
from organisations.models import Organisation

HEADING = "Update on delivery from the OPCC, police and partners"
POLICE, OPCC, PARTNERS = "police", "opcc", "partners"
GROUP_HEADINGS = {POLICE: "Police delivery", OPCC: "OPCC delivery", PARTNERS: "Partners’ delivery"}
ALL_DISTRICTS = "All districts"


def update_data(update: DeliveryUpdate) -> dict:
    """One update as the block, the portal and the review pages render it.

    Needs the update fetched with `DeliveryUpdate.objects.with_content()`.
    """
    kpis = list(update.kpis.all())
    quarters = [q for q in ("Q1", "Q2", "Q3", "Q4") if any(dict(k.quarter_values()).get(q) for k in kpis)]
    district = update.district or update.organisation.area
    return {
        "id": update.pk,
        "title": update.title,
        "organisation": update.organisation.name,
        "organisation_slug": update.organisation.slug,
        "attribution": ALL_DISTRICTS if update.for_all_districts else update.organisation.name,
        "district": None if update.for_all_districts or district is None else district.name,
        "body_html": render_markdown(update.body),
        "key_facts": update.key_fact_list,
        "kpis": {
            "caption": f"Key performance information {financial_year_label(update.period.code)}",
            "quarters": quarters,
            "rows": [
                {"label": kpi.label, "values": [dict(kpi.quarter_values()).get(q) or None for q in quarters]}
                for kpi in kpis
            ],
        } if kpis else None,
        "quotations": [
            {
                "text": quotation.text,
                "attribution": quotation.attribution_text,
                "kind": quotation.kind,
                "heading": f"{quotation.get_kind_display()} quotation",
            }
            for quotation in update.quotations.all()
        ],
        "approved_at": update.approved_at.isoformat() if update.approved_at else None,
    }


def _group_of(update: DeliveryUpdate) -> str:
    kind = update.organisation.kind
    if kind == Organisation.Kind.POLICE_FORCE:
        return POLICE
    if kind == Organisation.Kind.OPCC and not update.for_all_districts:
        return OPCC
    return PARTNERS


def _partner_place(update: DeliveryUpdate) -> tuple:
    """Sort key and heading of the partners' sub-group an update belongs to."""
    if update.for_all_districts:
        return (0, 0, ""), ALL_DISTRICTS
    district = update.district or update.organisation.area
    if district is not None:
        return (1, district.order, district.name), district.name
    return (2, 0, update.organisation.name), update.organisation.name


def render_delivery_block(*, period, priority, as_of: datetime | None = None) -> dict:
    """The approved updates for a quarter and section (approved at or before `as_of` if given).

    Three queries whatever the number of updates.
    """
    updates = list(
        DeliveryUpdate.objects.approved(as_of=as_of)
        .filter(period=period, priority=priority)
        .with_content()
        .order_by("organisation__name", "created_at", "pk")
    )
    grouped: dict[str, dict] = {}
    for update in updates:
        group = _group_of(update)
        if group == PARTNERS:
            key, heading = _partner_place(update)
        else:
            key, heading = (0, 0, ""), None
        sections = grouped.setdefault(group, {})
        section = sections.setdefault(key, {
            "heading": heading,
            # Headings: the block h3, groups h4, district h5; an update's title sits one below.
            "update_heading_level": 6 if heading else 5,
            "updates": [],
        })
        section["updates"].append(update_data(update))
    groups = [
        {
            "kind": group,
            "heading": GROUP_HEADINGS[group],
            "sections": [sections[key] for key in sorted(sections)],
        }
        for group in (POLICE, OPCC, PARTNERS)
        if (sections := grouped.get(group))
    ]
    return {
        "heading": HEADING,
        "period": {"code": period.code, "label": period.label},
        "priority": {"slug": priority.slug, "name": priority.name},
        "as_of": as_of.isoformat() if as_of else None,
        "count": len(updates),
        "groups": groups,
    }
