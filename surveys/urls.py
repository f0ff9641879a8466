from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_upload, name="import"),
    path("import/confirm/", views.import_confirm, name="import-confirm"),
    path("<slug:survey>/results.<str:file_format>", views.export, name="export"),
    path("<slug:survey>/<slug:wave>/", views.wave_detail, name="wave"),
    path("<slug:survey>/<slug:wave>/results.<str:file_format>", views.export, name="wave-export"),
    path("<slug:survey>/<slug:wave>/<slug:question>/", views.entry, name="entry"),
]
