from django.urls import path

from . import pickers, views
from .spreadsheets import views as import_views

urlpatterns = [
    path("", views.home, name="home"),
    path("imports/<uuid:pk>/", import_views.job_detail, name="import_job"),
    path("imports/<uuid:pk>/problems.csv", import_views.job_problems, name="import_job_problems"),
    path("imports/<slug:kind>/template.xlsx", import_views.template_download, name="import_template"),
    path("pick/<slug:kind>/", pickers.pick, name="pick"),
]
