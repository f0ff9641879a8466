from django.urls import path

from delivery import views

app_name = "delivery"

urlpatterns = [
    # The partner portal: the user's own organisation only.
    path("partners/", views.partner_home, name="partner-home"),
    path("partners/updates/new/<slug:priority_slug>/", views.update_create, name="create"),
    path("partners/updates/<int:pk>/", views.update_detail, name="update"),
    path("partners/updates/<int:pk>/edit/", views.update_edit, name="edit"),
    path("partners/updates/<int:pk>/preview/", views.update_preview, name="preview"),
    path("partners/updates/<int:pk>/submit/", views.update_submit, name="submit"),
    path("partners/updates/<int:pk>/delete/", views.update_delete, name="delete"),
    # The OPCC's review: staff only.
    path("review/", views.review_home, name="review"),
    path("review/updates/<int:pk>/", views.review_update, name="review-update"),
    path("review/updates/<int:pk>/return/", views.review_return, name="return"),
    path("review/updates/<int:pk>/approve/", views.review_approve, name="approve"),
]
