from django.urls import path

from . import pickers
from .inbox import views as inbox_views
from .spreadsheets import views as import_views

urlpatterns = [
    path("imports/<uuid:pk>/", import_views.job_detail, name="import_job"),
    path("exports/<uuid:pk>/", import_views.export_job_detail, name="export_job"),
    path("exports/<uuid:pk>/download/", import_views.export_job_download, name="export_job_download"),
    path("imports/<uuid:pk>/problems.csv", import_views.job_problems, name="import_job_problems"),
    path("imports/<slug:kind>/template.xlsx", import_views.template_download, name="import_template"),
    path("pick/<slug:kind>/", pickers.pick, name="pick"),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/badge/", inbox_views.badge, name="inbox_badge"),
    path("feedback/", inbox_views.feedback, name="feedback"),
    path("feedback/list/", inbox_views.feedback_list, name="feedback_list"),
]
