"""Thin Celery tasks: each calls one service in delivery/services.py, and each is safe to run twice."""

from celery import shared_task
from django.utils import timezone

from delivery import services
from jobs import running


@shared_task(name="delivery.enforce_deadlines")
def enforce_deadlines() -> dict:
    """Beat runs this hourly (CELERY_BEAT_SCHEDULE): reminders, overdue marks and e-mails."""
    return services.deadlines_enforce(today=timezone.localdate())


@shared_task(name="delivery.send_transition_email")
def send_transition_email(job_id: int) -> None:
    running.run_job(
        job_id, lambda job: services.transition_notify(transition_id=job.arguments["transition_id"])
    )
