from celery import shared_task

from jobs import running
from measures import recalculation


@shared_task(name="measures.recalculate")
def recalculate(job_id: int) -> None:
    running.run_job(job_id, recalculation.run)


@shared_task(name="measures.sweep_recalculations")
def sweep_recalculations() -> None:
    recalculation.sweep()
