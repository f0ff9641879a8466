"""Queue a job and run it: the one way long work is started and reported.

`enqueue` records the job in the caller's transaction and sends the task only once that commits,
so a worker never looks for a row that is not there yet. If the broker cannot be reached the job
stays queued and `requeue_stale_jobs` (run by beat) sends it again later: saving never fails
because Redis is down.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jobs.models import Job

logger = logging.getLogger(__name__)


def _send(job_id: int, task_name: str) -> None:
    from pccsite.celery import app

    if app.conf.task_always_eager:
        # No broker (the newcomer's default): run now, in this process. A failure is recorded
        # on the job row; it propagates only where task_eager_propagates is on (the tests).
        app.tasks[task_name].apply(args=[job_id])
        return
    try:
        app.send_task(task_name, args=[job_id])
    except Exception:  # the broker is away: the sweeper sends it later
        logger.warning("Could not queue job %s (%s); it stays queued", job_id, task_name, exc_info=True)


def enqueue(task, *, kind: str, description: str, user=None, **arguments) -> Job:
    job = Job.objects.create(
        kind=kind,
        description=description,
        task_name=task.name,
        arguments=arguments,
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    transaction.on_commit(lambda: _send(job.pk, task.name))
    return job


def run_job(job_id: int, work: Callable[[Job], dict | None]) -> None:
    """Run `work` for the job, recording its state. `work` must be safe to run twice."""
    job = Job.objects.get(pk=job_id)
    if job.state == Job.State.SUCCEEDED:
        return
    job.mark_running()
    try:
        result = work(job)
    except Exception as error:
        job.mark_failed(f"{type(error).__name__}: {error}")
        raise
    job.mark_succeeded(result)


def requeue_stale_jobs(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Send again the jobs still queued after `older_than` (their first send failed)."""
    cutoff = timezone.now() - older_than
    stale = list(Job.objects.filter(state=Job.State.QUEUED, created_at__lt=cutoff).values_list("pk", "task_name"))
    for job_id, task_name in stale:
        _send(job_id, task_name)
    return len(stale)
