from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

# SimpleRouter: the orgs API's DefaultRouter already serves the v1/ root view.
router = SimpleRouter()
router.register("programme-domains", views.ProgrammeDomainViewSet, basename="programme-domain")
router.register("lists", views.ListViewSet, basename="list")
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("progress-reports", views.ProgressReportViewSet, basename="progress-report")

urlpatterns = [
    path("lists-board/", views.BoardView.as_view(), name="lists-board"),
    path("metrics/", views.MetricListView.as_view(), name="metrics"),
    *router.urls,
]
