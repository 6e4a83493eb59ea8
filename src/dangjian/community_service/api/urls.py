from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("community-reports", views.ReportViewSet, basename="community-report")
router.register("service-items", views.ItemViewSet, basename="service-item")
router.register("service-records", views.RecordViewSet, basename="service-record")
router.register("whistles", views.WhistleViewSet, basename="whistle")
router.register("claims", views.ClaimViewSet, basename="claim")

urlpatterns = [*router.urls]
