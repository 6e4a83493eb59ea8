from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("responsibilities", views.ResponsibilityViewSet, basename="responsibility")
router.register("responsibility-documents", views.DocumentViewSet, basename="responsibility-document")
router.register("leader-duty-items", views.DutyItemViewSet, basename="leader-duty-item")
router.register("leader-duty-records", views.DutyRecordViewSet, basename="leader-duty-record")
router.register("contact-points", views.ContactPointViewSet, basename="contact-point")
router.register("contact-visits", views.ContactVisitViewSet, basename="contact-visit")

urlpatterns = [*router.urls]
