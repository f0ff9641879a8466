"""Who may do what: the three roles and the one place that checks them.

Roles are Django groups so that staff can manage them in the admin. Views never test group names
themselves; they use the decorators here, so a role's reach is defined once.
"""

from functools import wraps

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

OPCC_STAFF = "OPCC staff"
PARTNER = "Partner"
PANEL = "Panel"
ROLES = (OPCC_STAFF, PARTNER, PANEL)

# Apps whose data OPCC staff manage in the admin.
STAFF_MANAGED_APPS = ("organisations", "jobs", "measures", "reports", "delivery", "surveys")


def ensure_groups(sender=None, **kwargs) -> None:
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    managed = Permission.objects.filter(content_type__app_label__in=STAFF_MANAGED_APPS)
    groups[OPCC_STAFF].permissions.add(*managed)


def _group_names(user) -> frozenset[str]:
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def is_opcc_staff(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or OPCC_STAFF in _group_names(user)


def is_partner(user) -> bool:
    return user.is_authenticated and user.is_active and PARTNER in _group_names(user)


def is_panel_member(user) -> bool:
    return user.is_authenticated and user.is_active and PANEL in _group_names(user)


def organisation_of(user):
    """The partner's organisation, or None for anyone who has none."""
    if not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    return membership.organisation if membership else None


def _role_required(check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _role_required(is_opcc_staff)
partner_required = _role_required(lambda user: is_partner(user) and organisation_of(user) is not None)
