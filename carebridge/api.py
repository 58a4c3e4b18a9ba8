"""The JSON API at /api/: one Ninja API that mounts a router from each app's api.py."""

from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from ninja import NinjaAPI

from carebridge.accounts.api_auth import BearerToken
from carebridge.core.api_errors import install_problem_handlers
from carebridge.directory.api import router as directory_router
from carebridge.notifications.api import router as messages_router
from carebridge.patients.api import router as patients_router
from carebridge.scheduling.api import router as scheduling_router


def read_only(view):
    """The schema is read, never written: other methods answer 405 (in the API's shape, see
    core.api_errors.api_urls), not the browser's CSRF refusal, as nothing can change here."""
    return csrf_exempt(require_safe(view))


# No docs page: Ninja's would load its scripts from a CDN. The schema is at /api/openapi.json.
api = NinjaAPI(
    title="CareBridge API",
    version="1",
    description="Patients, the clinic directory and scheduling. Ids are public UUIDs; "
    "times are ISO 8601 with an offset, shown in the location's time zone.",
    urls_namespace="api",
    auth=BearerToken(),
    docs_url=None,
    docs_decorator=read_only,
)
install_problem_handlers(api)
api.add_router("/patients", patients_router)
api.add_router("", directory_router)
api.add_router("", scheduling_router)
api.add_router("/waitlist", "carebridge.scheduling.api_waitlist.router")
api.add_router("/time-off", "carebridge.scheduling.api_time_off.router")
api.add_router("", "carebridge.scheduling.api_weekly_hours.router")
api.add_router("", messages_router)
