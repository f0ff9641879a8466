import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from measures.models import Area
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
