from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("request-categories", views.CategoryViewSet, basename="request-category")
router.register("request-units", views.UnitViewSet, basename="request-unit")
router.register("requests", views.RequestViewSet, basename="request")

urlpatterns = [path("requests-figures/", views.RequestFiguresView.as_view(), name="requests-figures"), *router.urls]
