from celery import shared_task

from jobs import running
from measures import recalculation


@shared_task(name="measures.recalculate")
def recalculate(job_id: int) -> None:
    running.run_job(job_id, recalculation.run)


@shared_task(name="measures.sweep_recalculations")
def sweep_recalculations() -> None:
    recalculation.sweep()


@shared_task(name="measures.import_values_file")
def import_values_file(job_id: int) -> None:
    """Import a stored upload of figures (a large one, confirmed in the admin)."""
    from measures import importing

    running.run_job(job_id, importing.run_import_job)
