import datetime

import factory
from django.utils import timezone

from delivery.models import DeliveryUpdate, KpiLine, Obligation, Quotation, Round, Status
from measures.models import Period, Priority
from tests.factories import OrganisationFactory


def quarter(code: str) -> Period:
    return Period.objects.for_codes([code])[code]


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Priority {n}")
    slug = factory.LazyAttribute(lambda p: p.name.lower().replace(" ", "-"))
    order = factory.Sequence(lambda n: n)


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    period = factory.LazyFunction(lambda: quarter("2020-21-Q4"))
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    is_open = True


class ObligationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Obligation

    round = factory.SubFactory(RoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    priority = factory.SubFactory(PriorityFactory)


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryUpdate

    organisation = factory.SubFactory(OrganisationFactory)
    period = factory.LazyFunction(lambda: quarter("2020-21-Q4"))
    priority = factory.SubFactory(PriorityFactory)
    title = factory.Sequence(lambda n: f"Update {n}")
    body = "The project **continued** this quarter."
    status = Status.DRAFT
    approved_at = factory.LazyAttribute(
        lambda u: timezone.now() if u.status == Status.APPROVED else None
    )
    submitted_at = factory.LazyAttribute(
        lambda u: timezone.now() if u.status in {Status.SUBMITTED, Status.APPROVED} else None
    )


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiLine

    update = factory.SubFactory(UpdateFactory)
    label = "% of successful completions from caseload"
    q1, q2, q3 = "40%", "40%", "47%"


class QuotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quotation

    update = factory.SubFactory(UpdateFactory)
    text = "The trust that is built up cannot be understated."
    attribution = "Inspector, WYP (Bradford District)"
    kind = Quotation.Kind.PARTNER
