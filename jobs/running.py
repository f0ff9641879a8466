"""Queue a job and run it: the one way long work is started and reported.

`enqueue` records the job in the caller's transaction and sends the task only once that commits,
so a worker never looks for a row that is not there yet. If the broker cannot be reached the job
stays queued and `requeue_stale_jobs` (run by beat) sends it again later: saving never fails
because Redis is down.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
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


def requeue_stale_jobs(
    *, older_than: timedelta = timedelta(minutes=2), silent_for: timedelta | None = None
) -> int:
    """Send again the jobs still queued after `older_than` (their first send failed), and the
    running jobs that recorded no progress for `silent_for`.

    A job is left running with nobody working on it when its worker was lost and the broker lost
    the task too (Redis restarted without persistence). The broker re-delivers a lost worker's task
    after its visibility timeout, so by default a running job is sent again only once twice that
    has passed without a word from it. Jobs are safe to run twice.
    """
    if silent_for is None:
        silent_for = timedelta(seconds=2 * settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
    now = timezone.now()
    stale = list(
        Job.objects.filter(
            Q(state=Job.State.QUEUED, created_at__lt=now - older_than)
            | Q(state=Job.State.RUNNING, heartbeat_at__lt=now - silent_for)
        ).values_list("pk", "task_name")
    )
    for job_id, task_name in stale:
        _send(job_id, task_name)
    return len(stale)
