from django.urls import path

from . import views

app_name = "responsibilities"
urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("export/<str:kind>.<str:fmt>", views.export, name="export"),
    path("import/<str:kind>/", views.import_view, name="import"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("documents/<int:pk>/file/", views.document_file, name="document_file"),
    path("points/", views.points, name="points"),
    path("points/<int:pk>/", views.point_detail, name="point"),
    path("points/<int:pk>/edit/", views.point_edit, name="point_edit"),
    path("points/<int:pk>/delete/", views.point_delete, name="point_delete"),
    path("points/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:pk>/delete/", views.visit_delete, name="visit_delete"),
    path("org/<int:pk>/", views.org_page, name="org"),
    path("org/<int:pk>/new/", views.responsibility_create, name="responsibility_create"),
    path("org/<int:pk>/documents/new/", views.document_create, name="document_create"),
    path("org/<int:pk>/points/new/", views.point_create, name="point_create"),
    path("<int:pk>/edit/", views.responsibility_edit, name="responsibility_edit"),
    path("<int:pk>/delete/", views.responsibility_delete, name="responsibility_delete"),
    path("leaders/member/<int:member_id>/", views.leader, name="leader_member"),
    path("leaders/person/<int:person_id>/", views.leader, name="leader_person"),
    path("leaders/member/<int:member_id>/duty/new/", views.duty_record_create, name="duty_record_create"),
    path("duty-records/<int:pk>/delete/", views.duty_record_delete, name="duty_record_delete"),
    path("duty-items/", views.duty_items, name="duty_items"),
    path("duty-items/new/", views.duty_item_create, name="duty_item_create"),
    path("duty-items/<int:pk>/edit/", views.duty_item_edit, name="duty_item_edit"),
]
