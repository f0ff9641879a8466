from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from measures import arithmetic, periods
from measures.models import (
    Area, Breakdown, Measure, Objective, Period, Priority, Result, Value,
)
from organisations import roles
from organisations.models import Membership, Organisation

PASSWORD = "correct-horse-battery-staple"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"district-{n}")
    name = factory.LazyAttribute(lambda area: area.code.replace("-", " ").title())


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.LazyAttribute(lambda org: org.name.lower().replace(" ", "-"))
    kind = Organisation.Kind.COMMUNITY_SAFETY_PARTNERSHIP


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if extracted:
            roles.ensure_groups()
            user.groups.add(Group.objects.get(name=extracted))
            if extracted == roles.OPCC_STAFF:
                user.is_staff = True
        user.save()

    @factory.post_generation
    def organisation(user, create, extracted, **kwargs):
        if extracted:
            Membership.objects.update_or_create(user=user, defaults={"organisation": extracted})


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Priority {n}")
    slug = factory.LazyAttribute(lambda priority: priority.name.lower().replace(" ", "-"))
    order = factory.Sequence(lambda n: n)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    priority = factory.SubFactory(PriorityFactory)
    name = factory.Sequence(lambda n: f"Objective {n}")
    order = factory.Sequence(lambda n: n)


class MeasureFactory(factory.django.DjangoModelFactory):
    """A count compared over 12 months, lower is better, unless told otherwise."""

    class Meta:
        model = Measure
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"measure-{n}")
    objective = factory.SubFactory(ObjectiveFactory)
    name = factory.LazyAttribute(lambda measure: measure.code.replace("-", " ").capitalize())
    definition = "What this measure counts."
    source = "Police recorded crime"
    unit = "count"
    decimals = 0
    polarity = arithmetic.Polarity.LOWER_IS_BETTER
    aggregation = Measure.Aggregation.SUM
    comparison = periods.Basis.TWELVE_MONTHS
    band = Decimal("1")
    order = factory.Sequence(lambda n: n)


class BreakdownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Breakdown
        django_get_or_create = ["measure", "code"]

    measure = factory.SubFactory(MeasureFactory)
    code = factory.Sequence(lambda n: f"category-{n}")
    label = factory.LazyAttribute(lambda breakdown: breakdown.code.replace("-", " ").capitalize())
    order = factory.Sequence(lambda n: n)


def _period_spec(period) -> periods.Period:
    return periods.parse_period(period.code)


class PeriodFactory(factory.django.DjangoModelFactory):
    """A period from its code (``PeriodFactory(code="12M-2020-12")``); the rest follows from it."""

    class Meta:
        model = Period
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: periods.twelve_months_to(2000 + n // 12, n % 12 + 1).code)
    kind = factory.LazyAttribute(lambda period: str(_period_spec(period).kind))
    start = factory.LazyAttribute(lambda period: _period_spec(period).start)
    end = factory.LazyAttribute(lambda period: _period_spec(period).end)
    label = factory.LazyAttribute(lambda period: _period_spec(period).label)
    short_label = factory.LazyAttribute(lambda period: _period_spec(period).short_label)


class ValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Value

    measure = factory.SubFactory(MeasureFactory)
    area = factory.SubFactory(AreaFactory)
    breakdown = None
    period = factory.SubFactory(PeriodFactory)
    value = Decimal("100")
    source = ""
    data_as_at = None


class ResultFactory(factory.django.DjangoModelFactory):
    """A stored result whose derived numbers come from measures.arithmetic.compare, as the
    calculation would store them. ``previous=None`` makes "no comparison yet" and
    ``current=None`` "not available"; the comparison period defaults to a year earlier.
    """

    class Meta:
        model = Result

    measure = factory.SubFactory(MeasureFactory)
    area = factory.SubFactory(AreaFactory)
    breakdown = None
    period = factory.SubFactory(PeriodFactory)
    comparison_period = factory.LazyAttribute(
        lambda result: PeriodFactory(code=_period_spec(result.period).year_earlier().code)
    )
    current = Decimal("100")
    previous = Decimal("110")
    computed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        measure, current, previous = kwargs["measure"], kwargs["current"], kwargs["previous"]
        if current is None:
            kwargs.setdefault("status", Result.Status.NOT_AVAILABLE)
        elif previous is None:
            kwargs.setdefault("status", Result.Status.NO_COMPARISON)
        else:
            kwargs.setdefault("status", Result.Status.COMPARED)
            comparison = arithmetic.compare(
                current=Decimal(current), previous=Decimal(previous),
                is_proportion=measure.is_proportion, band=measure.band,
                polarity=measure.polarity, counts=measure.is_count,
                current_base=kwargs.get("current_base"), previous_base=kwargs.get("previous_base"),
            )
            for name in ("difference", "percent_change", "points", "z", "significant"):
                kwargs.setdefault(name, getattr(comparison, name))
            kwargs.setdefault("direction", comparison.direction.value)
            kwargs.setdefault("judgement", comparison.judgement.value)
            kwargs.setdefault("method", comparison.method.value)
            if kwargs["z"] is not None:
                kwargs["z"] = kwargs["z"].quantize(Decimal("1e-6"))
        return super()._create(model_class, *args, **kwargs)
