from django.contrib import admin
from django.urls import include, path, re_path

from carebridge.api import api
from carebridge.core.api_errors import api_urls, unknown_address
from carebridge.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Ninja's own root view answers with an HTML 404; every address of the API answers JSON.
    path("api/", unknown_address, {"rest": ""}),
    path("api/", api_urls(api)),
    re_path(r"^api/(?P<rest>.*)$", unknown_address),
    path("fhir/", include("carebridge.fhir_api.urls")),
    path("", include("carebridge.portal.urls")),
    path("", include("carebridge.scheduling.urls")),
    path("", include("carebridge.notifications.urls")),
    path("noshow/", include("carebridge.noshow.urls")),
    path("waitlist/", include("carebridge.scheduling.urls_waitlist")),
    path("", include("carebridge.web.urls")),
]

# A patient's page fails in the patient's words (see portal.views.server_error).
handler500 = "carebridge.portal.views.server_error"
