from django.urls import path

from . import views, views_io

app_name = "cobuilding"
urlpatterns = [
    path("", views.coverage_view, name="coverage"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/export/", views_io.export_view, {"kind": "units"}, name="unit_export"),
    path("units/import/", views_io.import_view, name="unit_import"),
    path("agreements/export/", views_io.export_view, {"kind": "agreements"}, name="agreement_export"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/close/", views.unit_close, name="unit_close"),
    path("units/<int:pk>/report/", views.unit_report, name="unit_report"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/accept/", views.report_accept, name="report_accept"),
    path("reports/<int:pk>/decline/", views.report_decline, name="report_decline"),
    path("reports/<int:pk>/end/", views.report_end, name="report_end"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/file/", views.agreement_file, name="agreement_file"),
    path("alliances/", views.alliance_list, name="alliance_list"),
    path("alliances/new/", views.alliance_create, name="alliance_create"),
    path("alliances/<int:pk>/", views.alliance_detail, name="alliance_detail"),
    path("instructors/", views.instructor_list, name="instructor_list"),
    path("instructors/new/", views.instructor_create, name="instructor_create"),
    path("instructors/<int:pk>/", views.instructor_detail, name="instructor_detail"),
    path("instructors/<int:pk>/assign/", views.instructor_assign, name="instructor_assign"),
    path("assignments/<int:pk>/review/", views.assignment_review, name="assignment_review"),
]
