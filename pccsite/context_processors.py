from django.conf import settings
from django.urls import reverse

from organisations.roles import is_opcc_staff, is_partner


def site(request):
    """The service name and the navigation a signed-in role can use."""
    user = getattr(request, "user", None)
    staff = bool(user and is_opcc_staff(user))
    items = [("Home", reverse("home"))]
    items.append(("Measures", reverse("measures:index")))
    items.append(("Reports", reverse("reports:list")))
    if user is not None and is_partner(user):
        items.append(("Your updates", reverse("delivery:partner-home")))
    if staff:
        items.append(("Review updates", reverse("delivery:review")))
        items.append(("Surveys", reverse("surveys:index")))
        items.append(("Admin", reverse("admin:index")))
    path = request.path
    navigation = [
        {"label": label, "url": url, "current": path == url or (url != "/" and path.startswith(url))}
        for label, url in items
    ]
    return {"site_name": settings.SITE_NAME, "navigation": navigation, "is_opcc_staff": staff}
