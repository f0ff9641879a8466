from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pccsite import views

admin.site.site_header = "Delivery Quarterly administration"
admin.site.site_title = "Delivery Quarterly"
admin.site.index_title = "Measures, figures and reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="sign-in",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path("admin/", admin.site.urls),
    path("measures/", include("measures.urls")),
    path("surveys/", include("surveys.urls")),
    path("reports/", include("reports.urls")),
    path("", include("delivery.urls")),  # /partners/ and /review/
]
