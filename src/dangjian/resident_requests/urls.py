from django.urls import path

from . import views

app_name = "resident_requests"
urlpatterns = [
    # The resident's side: no account.
    path("new/", views.request_new, name="new"),
    path("places/", views.places, name="places"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/confirm/", views.track_confirm, name="track_confirm"),
    path("track/<str:code>/reopen/", views.track_reopen, name="track_reopen"),
    path("track/<str:code>/rate/", views.track_rate, name="track_rate"),
    path("track/<str:code>/info/", views.track_info, name="track_info"),
    # The staff's side.
    path("", views.request_list, name="request_list"),
    path("staff/new/", views.request_create, name="request_create"),
    path("figures/", views.figures, name="figures"),
    path("export/", views.export, name="export"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/photos/<int:photo>/", views.photo, name="photo"),
    path("<int:pk>/accept/", views.request_accept, name="accept"),
    path("<int:pk>/dispatch/", views.request_dispatch, name="dispatch"),
    path("<int:pk>/unit-accept/", views.request_unit_accept, name="unit_accept"),
    path("<int:pk>/need-info/", views.request_need_info, name="need_info"),
    path("<int:pk>/hand-back/", views.request_hand_back, name="hand_back"),
    path("<int:pk>/resolve/", views.request_resolve, name="resolve"),
    path("<int:pk>/comment/", views.request_comment, name="comment"),
    path("<int:pk>/reassign/", views.request_reassign, name="reassign"),
    path("<int:pk>/extend/", views.request_extend, name="extend"),
    path("<int:pk>/visit/", views.request_visit, name="visit"),
]
