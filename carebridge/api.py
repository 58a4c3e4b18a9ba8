"""The JSON API at /api/: one Ninja API that mounts a router from each app's api.py."""

from ninja import NinjaAPI

api = NinjaAPI(title="CareBridge API", version="1", urls_namespace="api")
