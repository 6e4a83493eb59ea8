from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("duty-kinds", views.ActivityKindViewSet, basename="duty-kind")
router.register("duty-rules", views.RuleViewSet, basename="duty-rule")
router.register("duty-activities", views.ActivityViewSet, basename="duty-activity")
router.register("duty-occurrences", views.OccurrenceViewSet, basename="duty-occurrence")

urlpatterns = [
    path("duties-compliance/", views.ComplianceView.as_view(), name="duties-compliance"),
    *router.urls,
]
