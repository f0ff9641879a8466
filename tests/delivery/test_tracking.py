"""Section progress, tags and diffs are plain functions: no database."""

import pytest

from delivery.diffs import resubmission, snapshot_diff, word_diff
from delivery.models import Transition
from delivery.presenters import financial_year_label, progress_tag, quarter_number, status_tag
from delivery.tracking import Progress, progress_of


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], Progress.NOT_STARTED),
        (["draft"], Progress.DRAFT),
        (["approved", "draft"], Progress.DRAFT),
        (["approved", "submitted"], Progress.SUBMITTED),
        (["submitted", "returned", "draft"], Progress.RETURNED),
        (["approved", "approved"], Progress.APPROVED),
    ],
)
def test_a_section_is_as_far_along_as_its_least_finished_update(statuses, expected):
    assert progress_of(statuses) == expected


def test_tags_follow_the_govuk_task_list_colours():
    assert (status_tag("draft").label, status_tag("draft").colour) == ("Draft", "light-blue")
    assert progress_tag("not-started").colour == "grey"
    assert progress_tag("returned").label == "Returned"
    assert progress_tag("approved").colour == "green"
    assert progress_tag("draft", overdue=True) == progress_tag("not-started", overdue=True)
    assert progress_tag("draft", overdue=True).label == "Overdue"


def test_quarters_and_financial_years_read_as_the_seed_prints_them():
    assert quarter_number("2020-21-Q3") == 3
    assert financial_year_label("2020-21-Q3") == "2020/21"


def test_the_diff_marks_removed_and_added_words():
    assert word_diff("Q3 saw 35 arrests", "Q3 saw 36 arrests") == [
        ("equal", "Q3 saw "), ("delete", "35"), ("insert", "36"), ("equal", " arrests"),
    ]


def test_the_snapshot_diff_covers_every_part_of_an_update():
    old = {"title": "T", "body": "Body", "key_facts": "", "kpis": [{"label": "Referrals", "values": {"Q1": "21"}}],
           "quotations": []}
    new = {**old, "kpis": [{"label": "Referrals", "values": {"Q1": "21", "Q2": "84"}}],
           "quotations": [{"text": "Safer now", "attribution": "", "kind": "client"}]}
    fields = {field.label: field for field in snapshot_diff(old, new)}
    assert set(fields) == {"Title", "Update", "KPI lines", "Quotations"}
    assert not fields["Title"].changed and fields["KPI lines"].changed
    assert ("insert", "“Safer now” (anonymous, client)") in fields["Quotations"].segments


def _t(action, snapshot=None):
    return Transition(action=action, snapshot=snapshot)


def test_a_resubmission_compares_the_submissions_either_side_of_the_last_return():
    first, second = {"title": "A", "body": "one"}, {"title": "A", "body": "two"}
    steps = [_t("started"), _t("submitted", first), _t("returned"), _t("submitted", second)]
    found = resubmission(steps)
    assert found.before is steps[1] and found.after is steps[3] and found.has_changes
    assert resubmission(steps[:3]) is None  # returned, not yet resubmitted
    assert resubmission(steps[:2]) is None  # never returned
