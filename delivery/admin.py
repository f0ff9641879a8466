"""Rounds and obligations are set up here; the workflow itself runs in /partners/ and /review/.

An update's status, version and history are read-only in the admin, so the workflow's rules and
its record cannot be bypassed: staff submit the OPCC's own updates with the admin action, and
approve or return every update on the review pages.
"""

from django.contrib import admin, messages

from delivery import services
from delivery.models import DeliveryUpdate, KpiLine, Obligation, Quotation, Reminder, Round, Transition
from measures.models import Priority
from organisations.models import Organisation
from pccsite.admin_inlines import TabularInline


class ObligationInline(TabularInline):
    model = Obligation
    extra = 0
    fields = ["organisation", "priority", "overdue_marked_at"]
    readonly_fields = ["overdue_marked_at"]
    autocomplete_fields = ["organisation"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "due_on", "is_open"]
    list_select_related = ["period"]
    inlines = [ObligationInline]
    actions = ["ask_every_partner"]

    @admin.action(description="Ask the police and every partnership for every section")
    def ask_every_partner(self, request, queryset):
        organisations = Organisation.objects.filter(
            kind__in=[Organisation.Kind.POLICE_FORCE, Organisation.Kind.COMMUNITY_SAFETY_PARTNERSHIP]
        )
        priorities = list(Priority.objects.all())
        created = Obligation.objects.bulk_create(
            [
                Obligation(round=round, organisation=organisation, priority=priority)
                for round in queryset
                for organisation in organisations
                for priority in priorities
            ],
            ignore_conflicts=True,
        )
        self.message_user(request, f"Asked for {len(created)} section updates (existing ones kept).")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["round", "organisation", "kind", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["round__period", "organisation"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _LockedOnceSubmitted:
    """An update's KPI lines and quotations change only while its words may change."""

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)


class KpiLineInline(_LockedOnceSubmitted, TabularInline):
    model = KpiLine
    extra = 0


class QuotationInline(_LockedOnceSubmitted, admin.StackedInline):
    model = Quotation
    extra = 0


class TransitionInline(TabularInline):
    model = Transition
    extra = 0
    fields = ["at", "action", "actor_name", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DeliveryUpdate)
class DeliveryUpdateAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "period", "priority", "status"]
    list_filter = ["status", "period", "priority", "organisation"]
    list_select_related = ["organisation", "period", "priority"]
    search_fields = ["title", "body"]
    readonly_fields = ["status", "version", "submitted_at", "approved_at", "created_by", "updated_by"]
    inlines = [KpiLineInline, QuotationInline, TransitionInline]
    actions = ["submit_for_review"]

    def get_readonly_fields(self, request, obj=None):
        # Once submitted, the words are the partner's as sent: review, do not rewrite.
        if obj is not None and not obj.is_editable:
            return [f.name for f in DeliveryUpdate._meta.fields if f.name != "id"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        else:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            Transition.objects.create(
                update=obj, action=Transition.Action.STARTED, to_status=obj.status,
                actor=request.user, actor_name=services.actor_name(request.user),
            )

    def has_delete_permission(self, request, obj=None):
        # As in the partner portal: only a draft that was never submitted. Anything sent is the
        # record of what a partner told the OPCC and what the OPCC said back (ADR 0007).
        if obj is not None and not obj.is_deletable:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would delete submitted updates in bulk
        return actions

    @admin.action(description="Submit selected drafts for review")
    def submit_for_review(self, request, queryset):
        for update in queryset:
            try:
                services.update_submit(update=update, user=request.user, expected_version=update.version)
            except services.WorkflowError as refused:
                self.message_user(request, f"“{update}”: {refused}", messages.ERROR)
            else:
                self.message_user(request, f"Submitted “{update}”.", messages.SUCCESS)
