from django.urls import path

from . import spreadsheets, views

app_name = "duties"
urlpatterns = [
    path("", views.compliance_page, name="compliance"),
    path("red/", views.red_list, name="red_list"),
    path("export/compliance.<str:fmt>", spreadsheets.compliance_export, name="compliance_export"),
    path("duties/", views.occurrence_list, name="occurrence_list"),
    path("duties/<int:pk>/excuse/", views.occurrence_excuse, name="occurrence_excuse"),
    path("duties/<int:pk>/fulfil/", views.occurrence_fulfil, name="occurrence_fulfil"),
    path("fulfilments/<int:pk>/delete/", views.fulfilment_delete, name="fulfilment_delete"),
    path("fulfilments/files/<int:pk>/", views.fulfilment_file, name="fulfilment_file"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/export.<str:fmt>", spreadsheets.activity_export, name="activity_export"),
    path("activities/import/", spreadsheets.activity_import, name="activity_import"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("activities/files/<int:pk>/", views.activity_file, name="activity_file"),
    path("activities/files/<int:pk>/delete/", views.activity_file_delete, name="activity_file_delete"),
    path("orgs/<int:pk>/", views.org_duties, name="org_duties"),
    path("orgs/<int:pk>/record/", views.activity_create, name="activity_create"),
    path("orgs/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/revise/", views.rule_revise, name="rule_revise"),
    path("thresholds/", views.threshold, name="threshold"),
    path("thresholds/orgs/<int:pk>/", views.org_threshold, name="org_threshold"),
    path("thresholds/orgs/<int:pk>/clear/", views.org_threshold_clear, name="threshold_clear"),
    path("members/<int:pk>/attendance/", views.member_attendance, name="member_attendance"),
    path("calendar/<str:kind>/<int:pk>/subscribe/", views.calendar_subscribe, name="calendar_subscribe"),
    path("calendar/tokens/<int:pk>/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
