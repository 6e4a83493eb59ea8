"""Public disclosure (公示): pages anyone can open without logging in."""

from django.urls import path

from . import views_public

app_name = "public"
urlpatterns = [
    path("", views_public.index, name="index"),
    path("orgs/<int:pk>/", views_public.org_lists, name="org_lists"),
    path("lists/<int:pk>/", views_public.list_detail, name="list_detail"),
]
