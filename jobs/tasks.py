from celery import shared_task

from jobs import running


@shared_task(name="jobs.requeue_stale_jobs")
def requeue_stale_jobs() -> int:
    return running.requeue_stale_jobs()
