import multiprocessing
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone

from jobs import running
from jobs.models import Job
from measures import calculation, recalculation, tasks
from measures.models import Measure, Recalculation


def _drop_connections() -> None:
    """A forked process must not share the parent's sockets, pooled ones included."""
    for each in connections.all(initialized_only=True):
        each.close()
        if hasattr(each, "close_pool"):
            each.close_pool()


def _recalculate_share(measure_ids: list[int]) -> dict:
    _drop_connections()
    return calculation.recalculate(measure_ids).as_dict()


class Command(BaseCommand):
    help = "Recalculate every measure's results and data-quality flags (or the ones named)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="measure codes; all measures when omitted")
        parser.add_argument(
            "--queue", action="store_true", help="send the job to the Celery workers instead"
        )
        parser.add_argument(
            "--processes", type=int, default=min(4, os.cpu_count() or 1),
            help="share the measures among this many processes (PostgreSQL only)",
        )

    def handle(self, *args, codes, queue, processes, **options):
        measures = Measure.objects.all()
        if codes:
            measures = measures.filter(code__in=codes)
            unknown = set(codes) - set(measures.values_list("code", flat=True))
            if unknown:
                raise CommandError(f"Unknown measure codes: {', '.join(sorted(unknown))}")
        ids = list(measures.values_list("pk", flat=True))
        if queue:
            jobs = [recalculation.request_recalculation(ids)] if codes else recalculation.request_full_recalculation()
            for job in filter(None, jobs):
                self.stdout.write(f"Queued job {job.pk}: {job.description}")
            return
        if processes > 1 and connection.vendor == "postgresql":
            self._in_processes(ids, processes)
            return
        job = Job.objects.create(
            kind="recalculate",
            description=f"Recalculate {len(ids)} measures (command)",
            task_name=tasks.recalculate.name,
            arguments={"measure_ids": ids},
        )
        running.run_job(job.pk, recalculation.run)
        job.refresh_from_db()
        self.stdout.write(self.style.SUCCESS(f"{job.description}: {job.result} in {job.duration}"))

    def _in_processes(self, ids: list[int], processes: int) -> None:
        started = timezone.now()
        shares = [ids[start::processes] for start in range(processes)]
        _drop_connections()
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            outcomes = pool.map(_recalculate_share, shares)
        totals = {key: sum(outcome[key] for outcome in outcomes) for key in outcomes[0]}
        Recalculation.objects.filter(measure_id__in=ids, requested_at__lte=started).delete()
        self.stdout.write(self.style.SUCCESS(f"Recalculated {len(ids)} measures in {processes} processes: {totals}"))
