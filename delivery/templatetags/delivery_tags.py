"""Template tags for delivery pages and the report block: status tags and sanitised bodies."""

from django import template
from django.utils.safestring import mark_safe

from delivery.markdown import sanitise_html
from delivery.presenters import progress_tag, status_tag

register = template.Library()


@register.inclusion_tag("components/tag.html")
def update_status_tag(status: str):
    tag = status_tag(status)
    return {"label": tag.label, "colour": tag.colour}


@register.inclusion_tag("delivery/_section_tags.html")
def section_status_tag(cell):
    """A section's tags on the task list and the tracker: its progress, and "Overdue" if late."""
    return {
        "progress": progress_tag(cell.progress),
        "overdue": progress_tag(cell.progress, overdue=True) if cell.is_overdue else None,
    }


@register.filter
def sanitised(html) -> str:
    """HTML from a block's data, sanitised again here: the template trusts no stored markup."""
    return mark_safe(sanitise_html(html or ""))  # noqa: S308 - nh3 has just cleaned it
