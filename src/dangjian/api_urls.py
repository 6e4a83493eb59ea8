from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from dangjian.core.api.errors import not_found

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include("dangjian.orgs.api.urls")),
    path("v1/", include("dangjian.lists.api.urls")),
    path("v1/", include("dangjian.duties.api.urls")),
    path("v1/", include("dangjian.resident_requests.api.urls")),
    path("v1/", include("dangjian.responsibilities.api.urls")),
    path("v1/", include("dangjian.cobuilding.api.urls")),
    path("v1/", include("dangjian.community_service.api.urls")),
    re_path(r"", not_found),  # no HTML page under /api/
]
