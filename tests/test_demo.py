from django.contrib.auth import get_user_model
from django.core.management import call_command

from demo.loading import load_demo
from measures.models import Area
from organisations import roles
from organisations.models import Organisation


def authenticate(*, username, password):
    user = get_user_model().objects.get(username=username)
    return user if user.check_password(password) else None


def test_the_demo_loads_the_seed_organisations_and_one_user_per_role(db, settings):
    settings.DEMO_PASSWORD = "demo"
    load_demo()
    assert Organisation.objects.count() == 10
    assert Area.objects.get(code="bradford").parent.code == "west-yorkshire"
    bradford = authenticate(username="bradford", password="demo")
    assert bradford.membership.organisation.slug == "bradford-csp"
    assert roles.is_partner(bradford) and not roles.is_opcc_staff(bradford)
    opcc = authenticate(username="opcc", password="demo")
    assert roles.is_opcc_staff(opcc) and opcc.is_staff
    assert roles.is_panel_member(authenticate(username="panel", password="demo"))


def test_loading_the_demo_twice_changes_nothing(db, settings):
    settings.DEBUG = True
    call_command("load_demo")
    before = (Organisation.objects.count(), Area.objects.count())
    call_command("load_demo", "--keep-existing")
    call_command("load_demo")
    assert (Organisation.objects.count(), Area.objects.count()) == before
