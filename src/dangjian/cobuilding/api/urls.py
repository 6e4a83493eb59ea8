from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("cobuilding/units", views.UnitViewSet, basename="cobuilding-unit")
router.register("cobuilding/instructors", views.InstructorViewSet, basename="cobuilding-instructor")
router.register("cobuilding/agreements", views.AgreementViewSet, basename="cobuilding-agreement")
router.register("cobuilding/alliances", views.AllianceViewSet, basename="cobuilding-alliance")
router.register("cobuilding/assignments", views.AssignmentViewSet, basename="cobuilding-assignment")
router.register("cobuilding/unit-reports", views.UnitReportViewSet, basename="cobuilding-unit-report")

urlpatterns = [
    path("cobuilding/coverage/", views.CoverageView.as_view(), name="cobuilding-coverage"),
    *router.urls,
]
