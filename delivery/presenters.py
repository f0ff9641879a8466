"""How workflow states read on the page: tag words and colours, dates. No database, no HTML."""

from __future__ import annotations

from dataclasses import dataclass

from delivery.tracking import Progress

__all__ = ["TagPresentation", "financial_year_label", "progress_tag", "quarter_number", "status_tag"]


@dataclass(frozen=True)
class TagPresentation:
    label: str
    colour: str  # a GOV.UK tag modifier: govuk-tag--<colour>


# GOV.UK task list conventions: grey for not started, light blue for in progress, blue for
# waiting on someone else, orange for action needed, green for done, red for late.
_TAGS = {
    Progress.NOT_STARTED: TagPresentation("Not started", "grey"),
    Progress.DRAFT: TagPresentation("Draft", "light-blue"),
    Progress.SUBMITTED: TagPresentation("Submitted", "blue"),
    Progress.RETURNED: TagPresentation("Returned", "orange"),
    Progress.APPROVED: TagPresentation("Approved", "green"),
}
OVERDUE = TagPresentation("Overdue", "red")
NOT_ASKED = "Not asked"


def status_tag(status: str) -> TagPresentation:
    """An update's status (draft, submitted, returned, approved) as a tag."""
    return _TAGS[Progress(status)]


def progress_tag(progress: str, *, overdue: bool = False) -> TagPresentation:
    """A section's progress as a tag; an outstanding section past its due date reads "Overdue"."""
    return OVERDUE if overdue else _TAGS[Progress(progress)]


def quarter_number(period_code: str) -> int:
    """3 for "2020-21-Q3": the quarter of the financial year."""
    return int(period_code.rsplit("Q", 1)[1])


def financial_year_label(period_code: str) -> str:
    """ "2020/21" for "2020-21-Q3", as the seed captions KPI lines."""
    start, end = period_code.split("-")[:2]
    return f"{start}/{end}"
