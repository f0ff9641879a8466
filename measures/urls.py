from django.urls import path

from measures import views

app_name = "measures"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.detail, name="detail"),
    path("<slug:code>/chart.svg", views.chart, name="chart"),
]
