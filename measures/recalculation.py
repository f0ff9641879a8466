"""Queue recalculation when figures change, so it is never lost and never done twice.

`request_recalculation` is called in the same transaction as the change: it marks each affected
measure in the Recalculation outbox and sends one Celery job on commit. If the broker is down the
marks stay, and `sweep` (run by beat) queues them once it is back. The job clears a mark only if
nobody marked the measure again while it ran.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs import running
from jobs.models import Job
from measures import calculation
from measures.models import Measure, Recalculation


def with_dependents(measure_ids: Iterable[int]) -> set[int]:
    """These measures and every measure computed from them, however indirectly."""
    wanted = set(measure_ids)
    frontier = set(wanted)
    while frontier:
        found = set(Measure.objects.depending_on(frontier).values_list("pk", flat=True)) - wanted
        wanted |= found
        frontier = found
    return wanted


def request_recalculation(
    measure_ids: Iterable[int], *, user=None, description: str = "", dependents: bool = True
) -> Job | None:
    """Mark these measures (and, unless told not to, every measure computed from them) and queue one job."""
    from measures import tasks

    ids = with_dependents(measure_ids) if dependents else set(measure_ids)
    if not ids:
        return None
    now = timezone.now()
    with transaction.atomic():
        existing = set(Recalculation.objects.filter(measure_id__in=ids).values_list("measure_id", flat=True))
        Recalculation.objects.filter(measure_id__in=existing).update(requested_at=now)
        Recalculation.objects.bulk_create(
            [Recalculation(measure_id=measure_id) for measure_id in ids - existing],
            ignore_conflicts=True,
        )
        return running.enqueue(
            tasks.recalculate,
            kind="recalculate",
            description=description or f"Recalculate {len(ids)} measure{'s' if len(ids) != 1 else ''}",
            user=user,
            measure_ids=sorted(ids),
        )


def request_full_recalculation(*, user=None, shares: int | None = None) -> list[Job]:
    """Every measure, as `shares` jobs that the worker's processes run side by side.

    The shares are independent: a calculator works out a formula measure's inputs from their
    figures itself, never from another job's results, so no share waits for another. Measures are
    dealt out in turn, so each share gets a like mix of large and small ones.
    """
    ids = sorted(Measure.objects.values_list("pk", flat=True))
    if not ids:
        return []
    count = max(1, min(shares or settings.RECALCULATION_SHARES, len(ids)))
    jobs = []
    for start in range(count):
        share = ids[start::count]
        description = f"Recalculate every measure: share {start + 1} of {count} ({len(share)} measures)"
        if count == 1:
            description = f"Recalculate every measure ({len(share)})"
        jobs.append(request_recalculation(share, user=user, description=description, dependents=False))
    return jobs


def run(job: Job) -> dict:
    """The work of a recalculation job: safe to run twice (results are diffed, not appended)."""
    started = timezone.now()
    measure_ids = job.arguments.get("measure_ids")
    outcome = calculation.recalculate(
        measure_ids,
        progress=lambda done, total: job.record_progress(done, total, f"{done} of {total} measures"),
    )
    Recalculation.objects.filter(
        measure_id__in=measure_ids if measure_ids is not None else Measure.objects.values("pk"),
        requested_at__lte=started,
    ).delete()
    return outcome.as_dict()


def sweep(*, older_than: timedelta = timedelta(minutes=1)) -> Job | None:
    """Queue the measures still marked after `older_than` (their job was lost or never sent)."""
    cutoff = timezone.now() - older_than
    pending = list(
        Recalculation.objects.filter(requested_at__lt=cutoff).values_list("measure_id", flat=True)
    )
    if not pending:
        return None
    # A duplicate job is harmless: recalculation is idempotent.
    return request_recalculation(pending)
