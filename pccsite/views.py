from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pccsite import health
from reports.models import Report


@require_GET
def home(request):
    published = Report.objects.published().for_listing()[:8]
    return render(request, "home.html", {"published_reports": published})


@require_GET
def accessibility(request):
    return render(request, "pages/accessibility.html", {"contact_email": settings.CONTACT_EMAIL})


@require_GET
def privacy(request):
    return render(request, "pages/privacy.html", {"contact_email": settings.CONTACT_EMAIL})


@never_cache
@require_GET
def healthz(request):
    checks = {"database": health.check_database(), "broker": health.check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    return JsonResponse(body, status=200 if healthy else 503)
