from django.urls import path

from . import views_io

app_name = "orgs_io"
urlpatterns = [
    path("", views_io.index, name="index"),
    path("orgs/template.xlsx", views_io.template_download, {"kind": "orgs"}, name="org_template"),
    path("members/template.xlsx", views_io.template_download, {"kind": "members"}, name="member_template"),
    path("orgs/import/", views_io.import_view, {"kind": "orgs"}, name="org_import"),
    path("members/import/", views_io.import_view, {"kind": "members"}, name="member_import"),
    path("orgs/export/", views_io.export_view, {"kind": "orgs"}, name="org_export"),
    path("members/export/", views_io.export_view, {"kind": "members"}, name="member_export"),
]
