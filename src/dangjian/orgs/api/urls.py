from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("areas", views.AreaViewSet, basename="area")
router.register("orgs", views.OrgViewSet, basename="org")
router.register("members", views.MemberViewSet, basename="member")
router.register("posts", views.PostViewSet, basename="post")

urlpatterns = [
    path("summary/", views.SummaryView.as_view(), name="summary"),
    *router.urls,
]
