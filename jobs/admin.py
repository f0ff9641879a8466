from django.contrib import admin

from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["description", "kind", "state", "progress", "attempts", "requested_by", "created_at", "duration"]
    list_filter = ["state", "kind"]
    search_fields = ["description", "message", "error"]
    list_select_related = ["requested_by"]
    readonly_fields = [field.name for field in Job._meta.fields]

    @admin.display(description="Progress")
    def progress(self, job):
        if job.total:
            return f"{job.done:,} of {job.total:,} ({job.percent_done}%)"
        return f"{job.done:,}" if job.done else "–"

    def has_add_permission(self, request):
        return False
