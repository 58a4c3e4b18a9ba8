from django.contrib import admin
from django.urls import include, path

from carebridge.api import api
from carebridge.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("fhir/", include("carebridge.fhir_api.urls")),
    path("", include("carebridge.portal.urls")),
    path("", include("carebridge.scheduling.urls")),
    path("", include("carebridge.notifications.urls")),
    path("noshow/", include("carebridge.noshow.urls")),
    path("waitlist/", include("carebridge.scheduling.urls_waitlist")),
    path("", include("carebridge.web.urls")),
]
