"""Waiting for a real Celery worker, for the tests that run one."""

import time

from jobs.models import Job


def wait_for_job(job: Job, timeout: float = 60.0) -> Job:
    """The job once it has finished (succeeded or failed); fails the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job.pk} still {job.state} after {timeout:.0f} s")
