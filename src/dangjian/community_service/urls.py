from django.urls import path

from . import views

app_name = "community_service"
urlpatterns = [
    path("", views.index_view, name="index"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/accept/", views.report_accept, name="report_accept"),
    path("reports/<int:pk>/decline/", views.report_decline, name="report_decline"),
    path("reports/<int:pk>/end/", views.report_end, name="report_end"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/book/", views.item_book, name="item_book"),
    path("bookings/<int:pk>/attendance/", views.booking_attendance, name="booking_attendance"),
    path("bookings/<int:pk>/confirm/", views.booking_confirm, name="booking_confirm"),
    path("bookings/<int:pk>/service/", views.booking_service, name="booking_service"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("records/", views.record_list, name="record_list"),
    path("export/<str:kind>.<str:fmt>", views.export_view, name="export"),
    path("whistles/", views.whistle_list, name="whistle_list"),
    path("whistles/new/", views.whistle_create, name="whistle_create"),
    path("whistles/<int:pk>/", views.whistle_detail, name="whistle_detail"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/<int:pk>/", views.call_report, name="call_report"),
    path("entries/", views.entries, name="entries"),
    path("demands/new/", views.demand_create, name="demand_create"),
    path("demands/<int:pk>/claim/", views.demand_claim, name="demand_claim"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/claim/", views.resource_claim, name="resource_claim"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/complete/", views.claim_complete, name="claim_complete"),
]
