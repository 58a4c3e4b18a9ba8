"""A JSON API client for tests: sends the bearer token and JSON bodies, like a real caller."""

from __future__ import annotations

import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


class ApiClient:
    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(f"/api{path}", params or {}, headers=self._headers())

    def send(self, method: str, path: str, body: dict | str | bytes | None = None):
        """POST/PATCH/PUT; a dict is sent as JSON, a str or bytes as the raw body."""
        data = body if isinstance(body, str | bytes) else json.dumps(body or {})
        return self.client.generic(
            method, f"/api{path}", data, content_type="application/json", headers=self._headers()
        )

    def post(self, path: str, body: dict | str | bytes | None = None):
        return self.send("POST", path, body)

    def patch(self, path: str, body: dict | str | bytes | None = None):
        return self.send("PATCH", path, body)


def queries_for(call) -> int:
    """How many SQL queries one call makes, to show a list does not query once per row."""
    # The first call of a test also fills per-process caches (content types, the connection's
    # setup); count a second, warm call so only the per-request work is compared.
    call()
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)
