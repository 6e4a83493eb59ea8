from django.urls import path

from . import views

app_name = "lists"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.list_create, name="list_create"),
    path("import/", views.list_import, name="list_import"),
    path("board/", views.board, name="board"),
    path("measures/", views.measure_list, name="measure_list"),
    path("measures/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/report/", views.measure_report, name="measure_report"),
    path("measures/<int:pk>/review/", views.measure_review, name="measure_review"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("notifications/", views.notifications, name="notifications"),
    path("<int:pk>/", views.list_detail, name="list_detail"),
    path("<int:pk>/edit/", views.list_edit, name="list_edit"),
    path("<int:pk>/publish/", views.list_publish, name="list_publish"),
    path("<int:pk>/delete/", views.list_delete, name="list_delete"),
    path("<int:pk>/export.<str:fmt>", views.list_export, name="list_export"),
    path("<int:pk>/programmes/new/", views.programme_create, name="programme_create"),
    path("<int:pk>/projects/new/", views.project_create, name="project_create"),
    path("<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
]
