from celery import shared_task

from jobs import running


@shared_task(name="reports.publish_report")
def publish_report(job_id: int) -> None:
    from reports import services

    running.run_job(job_id, services.run_publish_job)
