from django.urls import path, register_converter

from reports import views

app_name = "reports"


class FormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<slug:slug>.pdf", views.report_pdf, name="pdf"),
    path("<slug:slug>/", views.report_detail, name="detail"),
    path("<slug:slug>/measures.<fmt:fmt>", views.measures_download, name="measures"),
    path("<slug:slug>/tables/<slug:key>.<fmt:fmt>", views.table_download, name="table"),
    path("<slug:slug>/preview/", views.preview, name="preview"),
    path("<slug:slug>/preview/measures.<fmt:fmt>", views.preview_measures_download, name="preview-measures"),
    path("<slug:slug>/preview/tables/<slug:key>.<fmt:fmt>", views.preview_table_download, name="preview-table"),
    path("<slug:slug>/v<int:number>/", views.version_detail, name="version"),
    path("<slug:slug>/v<int:number>/report.pdf", views.report_pdf, name="version-pdf"),
    path("<slug:slug>/v<int:number>/measures.<fmt:fmt>", views.measures_download, name="version-measures"),
    path("<slug:slug>/v<int:number>/tables/<slug:key>.<fmt:fmt>", views.table_download, name="version-table"),
]
