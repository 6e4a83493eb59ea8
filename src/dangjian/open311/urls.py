from django.urls import re_path

from . import views

app_name = "open311"
_FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + _FMT, views.discovery, name="discovery"),
    re_path(r"^services" + _FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]{1,64}?)" + _FMT, views.service_definition, name="service"),
    re_path(r"^requests" + _FMT, views.requests_view, name="requests"),
    re_path(r"^requests/(?P<number>[^/]{1,64}?)" + _FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]{1,64}?)" + _FMT, views.token_detail, name="token"),
]
