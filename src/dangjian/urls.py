from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from dangjian.core import views as core_views
from dangjian.orgs import views as org_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", org_views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("dangjian.accounts.urls")),
    path("api/", include("dangjian.api_urls")),
    path("lists/", include("dangjian.lists.urls")),
    path("public/", include("dangjian.lists.urls_public")),
    path("duties/", include("dangjian.duties.urls")),
    path("requests/", include("dangjian.resident_requests.urls")),
    path("responsibilities/", include("dangjian.responsibilities.urls")),
    path("open311/v2/", include("dangjian.open311.urls")),
    path("cobuilding/", include("dangjian.cobuilding.urls")),
    path("community/", include("dangjian.community_service.urls")),
    path("io/", include("dangjian.orgs.urls_io")),
    path("", include("dangjian.orgs.urls")),
    path("", include("dangjian.core.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
