"""The partner portal (/partners/) and the OPCC's review (/review/).

Partner views reach updates only through `organisation_of(request.user)`, so another
organisation's id is a 404. Review views are for OPCC staff. Every change goes through
delivery/services.py; a refused request re-shows the page with a message and changes nothing.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from delivery import diffs, services, tracking
from delivery.forms import ApproveForm, QuarterChoiceForm, ReturnForm, UpdateForms
from delivery.models import DeliveryUpdate, Round, Status, Transition
from delivery.report_blocks import update_data
from measures.models import Priority
from organisations.roles import organisation_of, partner_required, staff_required

# Partner portal --------------------------------------------------------------------------------


def _partner_update(request, pk: int) -> DeliveryUpdate:
    """The update if it belongs to the user's organisation; 404 otherwise, whoever asks."""
    updates = DeliveryUpdate.objects.for_organisation(organisation_of(request.user))
    return get_object_or_404(updates.with_content().select_related("updated_by"), pk=pk)


def _open_round():
    return Round.objects.open().select_related("period").first()


@partner_required
@require_GET
def partner_home(request):
    organisation = organisation_of(request.user)
    today = timezone.localdate()
    round = _open_round()
    sections = tracking.owed_sections(round, organisation, today=today) if round else []
    earlier = (
        DeliveryUpdate.objects.for_organisation(organisation)
        .approved()
        .select_related("period", "priority")
        .order_by("-period__end", "priority__order", "created_at", "pk")
    )
    if round:
        earlier = earlier.exclude(period_id=round.period_id)
    earlier_quarters = [(period, list(updates)) for period, updates in groupby(earlier, key=lambda u: u.period)]
    return render(request, "delivery/partner_home.html", {
        "organisation": organisation,
        "round": round,
        "is_overdue": bool(round and round.is_overdue_on(today)),
        "sections": sections,
        "earlier_quarters": earlier_quarters,
    })


def _after_save(request, update: DeliveryUpdate) -> str:
    if request.POST.get("next") == "preview":
        return reverse("delivery:preview", args=[update.pk])
    return reverse("delivery:update", args=[update.pk])


@partner_required
@require_http_methods(["GET", "POST"])
def update_create(request, priority_slug: str):
    organisation = organisation_of(request.user)
    round = get_object_or_404(Round.objects.open().select_related("period"))
    obligation = get_object_or_404(
        round.obligations.select_related("priority"), organisation=organisation, priority__slug=priority_slug
    )
    forms_ = UpdateForms(request.POST if request.method == "POST" else None, organisation=organisation)
    if forms_.is_bound and forms_.is_valid():
        update = services.update_create(
            organisation=organisation, period=round.period, priority=obligation.priority,
            author=request.user, content=forms_.content(),
        )
        messages.success(request, f"Draft saved: “{update.title}”.")
        return redirect(_after_save(request, update))
    return render(request, "delivery/update_form.html", {
        "forms": forms_, "priority": obligation.priority, "period": round.period, "update": None,
    })


@partner_required
@require_http_methods(["GET", "POST"])
def update_edit(request, pk: int):
    update = _partner_update(request, pk)
    organisation = update.organisation
    if not update.is_editable:
        messages.error(request, str(services.NotEditable(update)))
        return redirect("delivery:update", pk=update.pk)
    data = request.POST if request.method == "POST" else None
    forms_ = UpdateForms(data, organisation=organisation, update=update)
    conflict = None
    if forms_.is_bound and forms_.is_valid():
        try:
            services.update_save(
                update=update, editor=request.user,
                expected_version=forms_.expected_version or 0, content=forms_.content(),
            )
        except services.NotEditable as refused:
            messages.error(request, str(refused))
            return redirect("delivery:update", pk=update.pk)
        except services.UpdateGone as refused:
            messages.error(request, str(refused))
            return redirect("delivery:partner-home")
        except services.EditConflict as refused:
            # Re-show their words, now based on the saved version, so saving again is a choice
            # made having seen the other person's text.
            data = data.copy()
            data["version"] = str(refused.current.version)
            forms_ = UpdateForms(data, organisation=organisation, update=update)
            forms_.is_valid()
            forms_.add_error(str(refused))
            conflict = update_data(DeliveryUpdate.objects.with_content().get(pk=update.pk))
            conflict["saved_by"] = services.actor_name(refused.current.updated_by)
            conflict["saved_at"] = refused.current.updated_at
        else:
            messages.success(request, f"Changes saved: “{forms_.content().title}”.")
            return redirect(_after_save(request, update))
    return render(request, "delivery/update_form.html", {
        "forms": forms_, "priority": update.priority, "period": update.period, "update": update,
        "conflict": conflict, "last_return": _last_return(update) if update.status == Status.RETURNED else None,
    }, status=409 if conflict else 200)


def _last_return(update: DeliveryUpdate):
    return update.transitions.filter(action=Transition.Action.RETURNED).order_by("-at", "-pk").first()


@partner_required
@require_GET
def update_detail(request, pk: int):
    update = _partner_update(request, pk)
    transitions = list(update.transitions.all())
    returns = [t for t in transitions if t.action == Transition.Action.RETURNED]
    return render(request, "delivery/update_detail.html", {
        "update": update,
        "data": update_data(update),
        "transitions": transitions,
        "last_return": returns[-1] if returns and update.status == Status.RETURNED else None,
    })


def _preview(request, update: DeliveryUpdate, *, problems=None):
    problems = update.submission_problems() if problems is None else problems
    return render(request, "delivery/update_preview.html", {
        "update": update,
        "data": update_data(update),
        "problems": problems,
        # What components/error_summary.html reads from a form.
        "problem_summary": {"non_field_errors": problems, "visible_fields": []},
    })


@partner_required
@require_GET
def update_preview(request, pk: int):
    update = _partner_update(request, pk)
    if not update.is_editable:
        messages.error(request, str(services.NotEditable(update)))
        return redirect("delivery:update", pk=update.pk)
    return _preview(request, update)


def _posted_version(request) -> int:
    """The version of the update the form was opened on; 0 (never current) if missing or garbled."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


@partner_required
@require_POST
def update_submit(request, pk: int):
    update = _partner_update(request, pk)
    expected_version = _posted_version(request)
    try:
        services.update_submit(update=update, user=request.user, expected_version=expected_version)
    except services.SubmissionRefused as refused:
        return _preview(request, update, problems=refused.problems)
    except services.UpdateGone as refused:
        messages.error(request, str(refused))
        return redirect("delivery:partner-home")
    except services.WorkflowError as refused:
        messages.error(request, str(refused))
        return redirect("delivery:preview" if update.is_editable else "delivery:update", pk=update.pk)
    messages.success(request, f"Update submitted: “{update.title}”. The OPCC will review it.")
    return redirect("delivery:update", pk=update.pk)


@partner_required
@require_http_methods(["GET", "POST"])
def update_delete(request, pk: int):
    """Ask "are you sure?", then delete the organisation's own never-submitted draft."""
    update = _partner_update(request, pk)
    if not update.is_deletable:
        messages.error(request, str(services.NotDeletable(update)))
        return redirect("delivery:update", pk=update.pk)
    if request.method == "POST":
        expected_version = _posted_version(request)
        try:
            services.update_delete(update=update, user=request.user, expected_version=expected_version)
        except services.UpdateGone as refused:
            messages.error(request, str(refused))
            return redirect("delivery:partner-home")
        except services.WorkflowError as refused:
            messages.error(request, str(refused))
            return redirect("delivery:update", pk=update.pk)
        messages.success(request, f"Draft deleted: “{update.title}”.")
        return redirect("delivery:partner-home")
    return render(request, "delivery/update_delete.html", {"update": update})


# OPCC review -------------------------------------------------------------------------------------


@staff_required
@require_GET
def review_home(request):
    today = timezone.localdate()
    rounds = list(Round.objects.select_related("period"))
    form = QuarterChoiceForm(request.GET or None, rounds=rounds)
    chosen = None
    if form.is_bound and form.is_valid() and form.cleaned_data["quarter"]:
        chosen = next(r for r in rounds if r.period.code == form.cleaned_data["quarter"])
    if chosen is None:
        chosen = next((r for r in rounds if r.is_open), rounds[0] if rounds else None)
        form = QuarterChoiceForm(initial={"quarter": chosen.period.code if chosen else ""}, rounds=rounds)
    grid = tracking.tracker(chosen, priorities=list(Priority.objects.all()), today=today) if chosen else None
    queue = list(
        DeliveryUpdate.objects.awaiting_review()
        .select_related("organisation", "priority", "period")
        .order_by("submitted_at", "pk")
    )
    return render(request, "delivery/review_home.html", {
        "form": form, "round": chosen, "tracker": grid, "queue": queue,
        "is_overdue": bool(chosen and chosen.is_overdue_on(today)),
    })


def _review_page(request, update: DeliveryUpdate, *, return_form=None, approve_form=None, status=200):
    transitions = list(update.transitions.all())
    return render(request, "delivery/review_update.html", {
        "update": update,
        "data": update_data(update),
        "transitions": transitions,
        "resubmission": diffs.resubmission(transitions),
        "return_form": return_form or ReturnForm(prefix="return"),
        "approve_form": approve_form or ApproveForm(prefix="approve"),
    }, status=status)


def _reviewed_update(pk: int) -> DeliveryUpdate:
    return get_object_or_404(DeliveryUpdate.objects.with_content(), pk=pk)


@staff_required
@require_GET
def review_update(request, pk: int):
    return _review_page(request, _reviewed_update(pk))


@staff_required
@require_POST
def review_return(request, pk: int):
    update = _reviewed_update(pk)
    form = ReturnForm(request.POST, prefix="return")
    if not form.is_valid():
        return _review_page(request, update, return_form=form)
    try:
        services.update_return(update=update, reviewer=request.user, comment=form.cleaned_data["comment"])
    except services.WorkflowError as refused:
        messages.error(request, str(refused))
        return redirect("delivery:review-update", pk=update.pk)
    messages.success(request, f"Returned to {update.organisation}: “{update.title}”.")
    return redirect("delivery:review")


@staff_required
@require_POST
def review_approve(request, pk: int):
    update = _reviewed_update(pk)
    form = ApproveForm(request.POST, prefix="approve")
    if not form.is_valid():
        return _review_page(request, update, approve_form=form)
    try:
        services.update_approve(update=update, reviewer=request.user, comment=form.cleaned_data["comment"])
    except services.WorkflowError as refused:
        messages.error(request, str(refused))
        return redirect("delivery:review-update", pk=update.pk)
    messages.success(request, f"Approved: “{update.title}” from {update.organisation}.")
    return redirect("delivery:review")
