from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone


class Job(models.Model):
    """One run of a long task (import, recalculation, publication) and what became of it.

    Every long task reports through its job row, so there is one way to show progress. Progress
    writes are single-row UPDATEs, so a task can record them from inside its own transaction-free
    loop without clobbering the other fields.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=60)
    description = models.CharField(max_length=300)
    task_name = models.CharField(max_length=200, help_text="The Celery task that runs this job.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    arguments = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker started this job (more than one: a worker was lost)."
    )
    interruptions = models.TextField(
        blank=True, help_text="Earlier attempts that stopped without finishing, one a line."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker running this job last recorded progress."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return f"{self.description} ({self.get_state_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.SUCCEEDED, self.State.FAILED}

    @property
    def percent_done(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    def _update(self, **fields) -> None:
        Job.objects.filter(pk=self.pk).update(**fields)
        self.refresh_from_db()

    def mark_running(self) -> None:
        fields = {}
        if self.state == self.State.RUNNING:
            # Started again while it still says running: the worker that ran it was lost (killed,
            # out of memory, machine restarted) and the broker gave the task to another one.
            fields["interruptions"] = self.interruptions + self.interruption_note() + "\n"
        self._update(
            state=self.State.RUNNING,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
            finished_at=None,
            error="",
            attempts=F("attempts") + 1,
            **fields,
        )

    def interruption_note(self) -> str:
        reached = f"{self.done:,} of {self.total:,}" if self.total else f"{self.done:,}"
        started = timezone.localtime(self.started_at).strftime("%d %b %Y %H:%M:%S") if self.started_at else "?"
        message = f" ({self.message})" if self.message else ""
        return (
            f"Attempt {self.attempts}, started {started}, stopped without finishing at "
            f"{reached}{message}; started again."
        )

    def record_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        fields = {"done": done, "message": message[:300], "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        Job.objects.filter(pk=self.pk).update(**fields)
        self.done = done
        if total is not None:
            self.total = total

    def mark_succeeded(self, result: dict | None = None) -> None:
        self._update(state=self.State.SUCCEEDED, finished_at=timezone.now(), result=result or {})

    def mark_failed(self, error: str) -> None:
        self._update(state=self.State.FAILED, finished_at=timezone.now(), error=error)
