"""Writing survey results, and writing them on into the measures they feed.

Every path that changes results (the entry grid, an import, a wave's status, a measure's link)
ends in :func:`feed_measures`, inside the caller's transaction: the linked measures' Value rows
are upserted from the survey data under an audit context, and their recalculation is requested
(measures/recalculation.py records an outbox row and queues the Celery job on commit). So a
measure fed by a survey can never show a figure the survey data does not give.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from measures import arithmetic
from measures.models import Measure, Value
from pccsite.audit import audit_context
from surveys import statistics
from surveys.models import Question, ResponseBase, Result, Segment, SurveyMeasure, Wave
from surveys.results import read_grid

# A result's key: wave, question, area, segment (or None), option (or None), group (or None).
ResultKey = tuple[int, int, int, int | None, int | None, int | None]
# A base's key: wave, question, area, segment (or None).
BaseKey = tuple[int, int, int, int | None]


@dataclass(frozen=True)
class Figure:
    """What a result holds; a Figure with nothing in it means "remove the result"."""

    percentage: Decimal | None = None
    count: int | None = None
    rank: int | None = None
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return self.percentage is None and self.count is None and self.rank is None and not self.note


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    measures_fed: set[int] = field(default_factory=set)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def save_grid(
    *,
    wave: Wave,
    question: Question,
    segment: Segment | None,
    figures: Mapping[tuple[int, int | None, int | None], Decimal | None],
    bases: Mapping[int, int | None],
    user=None,
) -> Outcome:
    """Save one wave's results of a question for every area at once, all or nothing.

    ``figures`` maps (area id, option id, group id) to a percentage, None clearing it; a cleared
    cell keeps any count or rank the result holds (they come from imports). ``bases`` maps area id
    to the number who answered, None clearing it. The caller has validated everything.
    """
    segment_id = segment.pk if segment else None
    existing = {
        (r.area_id, r.option_id, r.group_id): r
        for r in Result.objects.filter(wave=wave, question=question, segment=segment)
    }
    results: dict[ResultKey, Figure] = {}
    for (area_id, option_id, group_id), percentage in figures.items():
        current = existing.get((area_id, option_id, group_id))
        kept = Figure(
            percentage=percentage,
            count=current.count if current else None,
            rank=current.rank if current else None,
            note=current.note if current else "",
        )
        results[(wave.pk, question.pk, area_id, segment_id, option_id, group_id)] = kept
    base_figures = {
        (wave.pk, question.pk, area_id, segment_id): respondents for area_id, respondents in bases.items()
    }
    return write_results(results=results, bases=base_figures, user=user, route="survey entry grid")


def write_results(
    *,
    results: Mapping[ResultKey, Figure],
    bases: Mapping[BaseKey, int | None],
    user=None,
    route: str,
) -> Outcome:
    """Upsert (or remove, for empty figures) these results and bases, then feed the measures."""
    outcome = Outcome()
    with transaction.atomic(), audit_context(**_who(user), route=route):
        question_ids = {key[1] for key in results} | {key[1] for key in bases}
        wave_ids = {key[0] for key in results} | {key[0] for key in bases}
        stored = {
            (r.wave_id, r.question_id, r.area_id, r.segment_id, r.option_id, r.group_id): r
            for r in Result.objects.filter(question_id__in=question_ids, wave_id__in=wave_ids)
        }
        to_create, to_update, to_delete = [], [], []
        for key, figure in results.items():
            result = stored.get(key)
            if figure.is_empty:
                if result is not None:
                    to_delete.append(result.pk)
                continue
            values = dict(
                percentage=figure.percentage, count=figure.count, rank=figure.rank, note=figure.note
            )
            if result is None:
                wave_id, question_id, area_id, segment_id, option_id, group_id = key
                to_create.append(Result(
                    wave_id=wave_id, question_id=question_id, area_id=area_id,
                    segment_id=segment_id, option_id=option_id, group_id=group_id, **values,
                ))
            elif any(getattr(result, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(result, name, value)
                to_update.append(result)
            else:
                outcome.unchanged += 1
        Result.objects.filter(pk__in=to_delete).delete()
        Result.objects.bulk_create(to_create)
        Result.objects.bulk_update(to_update, ["percentage", "count", "rank", "note"])
        outcome.created, outcome.updated, outcome.deleted = len(to_create), len(to_update), len(to_delete)

        stored_bases = {
            (b.wave_id, b.question_id, b.area_id, b.segment_id): b
            for b in ResponseBase.objects.filter(question_id__in=question_ids, wave_id__in=wave_ids)
        }
        new_bases, changed_bases, gone_bases = [], [], []
        for key, respondents in bases.items():
            base = stored_bases.get(key)
            if respondents is None:
                if base is not None:
                    gone_bases.append(base.pk)
            elif base is None:
                wave_id, question_id, area_id, segment_id = key
                new_bases.append(ResponseBase(
                    wave_id=wave_id, question_id=question_id, area_id=area_id,
                    segment_id=segment_id, respondents=respondents,
                ))
            elif base.respondents != respondents:
                base.respondents = respondents
                changed_bases.append(base)
        ResponseBase.objects.filter(pk__in=gone_bases).delete()
        ResponseBase.objects.bulk_create(new_bases)
        ResponseBase.objects.bulk_update(changed_bases, ["respondents"])
        bases_changed = bool(new_bases or changed_bases or gone_bases)

        if outcome.changed or bases_changed:
            outcome.measures_fed = feed_measures(question_ids=question_ids, user=user)
    return outcome


def feed_measures(*, question_ids: Iterable[int] | None = None, measure_ids: Iterable[int] | None = None,
                  user=None) -> set[int]:
    """Write the figures of every measure linked to these questions (or these measures) from the
    survey data, and request their recalculation. Returns the measures whose figures changed.

    Each measure's Value rows become exactly what its linked questions give: one per area and
    wave, at the wave's period; value = the option's or group's percentage, numerator = the count
    when known, denominator = the base. A suspended wave gives "not available" with its reason,
    and so does a base under the minimum. A figure the survey data does not give (the seed's
    section 1 printed some) becomes "not available" with a note, rather than being shown.
    """
    links = SurveyMeasure.objects.all()
    if question_ids is not None:
        links = links.filter(question_id__in=list(question_ids))
    if measure_ids is not None:
        links = links.filter(measure_id__in=list(measure_ids))
    wanted = set(links.values_list("measure_id", flat=True))
    if not wanted:
        return set()
    changed: set[int] = set()
    with transaction.atomic(), audit_context(**_who(user), route="survey results"):
        measures = Measure.objects.filter(pk__in=wanted).prefetch_related("breakdowns")
        all_links = (
            SurveyMeasure.objects.filter(measure_id__in=wanted)
            .select_related("question__survey", "option", "group")
            .order_by("measure_id", "pk")
        )
        by_measure: dict[int, list[SurveyMeasure]] = {}
        for link in all_links:
            by_measure.setdefault(link.measure_id, []).append(link)
        for measure in measures:
            if _feed_measure(measure, by_measure.get(measure.pk, []), user):
                changed.add(measure.pk)
        if changed:
            from measures.recalculation import request_recalculation  # the measures app owns it

            request_recalculation(changed, user=user)
    return changed


_FED_FIELDS = ("value", "numerator", "denominator", "note", "source")


def _feed_measure(measure: Measure, links: list[SurveyMeasure], user) -> bool:
    breakdowns = {breakdown.code: breakdown.pk for breakdown in measure.breakdowns.all()}
    desired: dict[tuple[int, int | None, int], dict] = {}
    touched_breakdowns: set[int | None] = {None}
    for link in links:
        question, survey = link.question, link.question.survey
        answer = link.answer
        waves = list(
            Wave.objects.filter(
                survey=survey, period__isnull=False,
                status__in=[Wave.Status.COMPLETED, Wave.Status.SUSPENDED],
            ).order_by("pk")
        )
        segments = [None] + [s for s in survey.segments.all() if s.code in breakdowns]
        for segment in segments:
            breakdown_id = breakdowns[segment.code] if segment else None
            touched_breakdowns.add(breakdown_id)
            grid = read_grid(question, wave_ids=[wave.pk for wave in waves], segment=segment)
            areas = {area_id for (_, area_id, code) in grid.cells if code == answer.code}
            for wave in waves:
                for area_id in areas:
                    key = (area_id, breakdown_id, wave.period_id)
                    if key in desired:
                        continue  # an earlier link of the measure gives this figure
                    figure = _figure(survey, wave, question, answer, grid, area_id)
                    if figure is not None:
                        desired[key] = figure
    sources = "; ".join(f"{link.question.survey.name}: {link.question.text}" for link in links)
    existing = {
        (value.area_id, value.breakdown_id, value.period_id): value
        for value in Value.objects.filter(measure=measure)
        if value.breakdown_id in touched_breakdowns
    }
    to_create, to_update = [], []
    for key, fields in desired.items():
        value = existing.pop(key, None)
        if value is None:
            area_id, breakdown_id, period_id = key
            to_create.append(Value(
                measure=measure, area_id=area_id, breakdown_id=breakdown_id, period_id=period_id,
                entered_by=user if _is_user(user) else None, **fields,
            ))
        elif _differs(value, fields):
            for name in _FED_FIELDS:
                setattr(value, name, fields[name])
            value.entered_by = user if _is_user(user) else None
            to_update.append(value)
    for value in existing.values():
        if value.value is None:
            continue
        value.value = value.numerator = value.denominator = None
        value.note = f"Not available: no survey result gives this figure (the measure takes its figures from {sources})"[:1000]
        value.entered_by = user if _is_user(user) else None
        to_update.append(value)
    now = timezone.now()
    for value in to_update:
        value.updated_at = now
    Value.objects.bulk_create(to_create)
    Value.objects.bulk_update(to_update, [*_FED_FIELDS, "entered_by", "updated_at"])
    return bool(to_create or to_update)


def _figure(survey, wave, question, answer, grid, area_id) -> dict | None:
    label = f"{survey.name}, {wave.label}"
    if wave.status == Wave.Status.SUSPENDED:
        return dict(value=None, numerator=None, denominator=None, source=survey.name[:200],
                    note=f"Not available: {label}: {wave.status_reason}")
    cell = grid.cell(wave.pk, area_id, answer.code)
    if cell is None:
        return None
    base = grid.base(wave.pk, area_id)
    value = cell.percentage
    if value is None and cell.count is not None and base:
        value = arithmetic.ratio(cell.count, base)
    if value is None:
        return None
    note = f"{label}: {question.text} ({answer.label})"
    if cell.computed:
        note += ", the sum of its options"
    if statistics.is_too_few(base):
        return dict(value=None, numerator=None, denominator=Decimal(base), source=survey.name[:200],
                    note=f"Not shown: too few responses ({base}, fewer than {statistics.MIN_BASE}). {note}")
    return dict(
        value=value,
        numerator=Decimal(cell.count) if cell.count is not None else None,
        denominator=Decimal(base) if base is not None else None,
        note=note,
        source=survey.name[:200],
    )


def _differs(value: Value, fields: dict) -> bool:
    return any(getattr(value, name) != fields[name] for name in _FED_FIELDS)


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _who(user) -> dict:
    if not _is_user(user):
        return {"user": None, "username": ""}
    return {"user": user.pk, "username": user.get_username()}
