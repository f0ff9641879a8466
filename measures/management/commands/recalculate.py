from django.core.management.base import BaseCommand

from jobs import running
from jobs.models import Job
from measures import recalculation, tasks
from measures.models import Measure


class Command(BaseCommand):
    help = "Recalculate every measure's results and data-quality flags (or the ones named)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="measure codes; all measures when omitted")
        parser.add_argument(
            "--queue", action="store_true", help="send the job to the Celery workers instead"
        )

    def handle(self, *args, codes, queue, **options):
        measures = Measure.objects.all()
        if codes:
            measures = measures.filter(code__in=codes)
            unknown = set(codes) - set(measures.values_list("code", flat=True))
            if unknown:
                self.stderr.write(f"Unknown measure codes: {', '.join(sorted(unknown))}")
                raise SystemExit(2)
        ids = list(measures.values_list("pk", flat=True))
        if queue:
            job = recalculation.request_recalculation(ids)
            self.stdout.write(f"Queued job {job.pk}: {job.description}")
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
