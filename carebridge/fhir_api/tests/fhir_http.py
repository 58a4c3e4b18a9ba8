"""What the FHIR HTTP tests share: an authenticated client, R4B validation and a clock."""

from __future__ import annotations

import base64
import datetime
from zoneinfo import ZoneInfo

from django.test import Client
from fhir.resources.R4B import get_fhir_model_class

from carebridge.fhir_api.resources.schedule import schedule_id

BOSTON = ZoneInfo("America/New_York")
# A Monday with no public holiday; the personas' practitioner works 09:00-17:00 there.
MONDAY = datetime.date(2030, 3, 4)
MONDAY_MORNING = datetime.datetime(2030, 3, 4, 8, 0, tzinfo=BOSTON)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BOSTON)


def slot_id_at(clinic, seconds: bytes) -> str:
    """The id of a slot of the clinic's schedule and visit type at any five-byte start, as a
    client could craft it."""
    raw = schedule_id(clinic.practitioner, clinic.location).bytes
    raw += clinic.visit_type.public_id.bytes + seconds
    return base64.b32encode(raw).decode().rstrip("=").lower()


def validated(resource: dict) -> dict:
    """The resource, after fhir.resources' R4B model accepted it (and each Bundle entry)."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    for entry in resource.get("entry", []):
        validated(entry["resource"])
    return resource


class FhirClient:
    """Django's test client speaking FHIR JSON with a bearer token."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Accept": "application/fhir+json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, params: dict | None = None, **headers):
        return self.client.get(f"/fhir/{path}", params or {}, headers={**self.headers, **headers})

    def post(self, path: str, body: dict | str, **headers):
        return self._send("post", path, body, headers)

    def post_form(self, path: str, form: str, **headers):
        """A posted search: `form` is the urlencoded body."""
        return self.client.post(
            f"/fhir/{path}",
            form,
            content_type="application/x-www-form-urlencoded",
            headers={**self.headers, **headers},
        )

    def put(self, path: str, body: dict | str, **headers):
        return self._send("put", path, body, headers)

    def delete(self, path: str):
        return self.client.delete(f"/fhir/{path}", headers=self.headers)

    def _send(self, method: str, path: str, body: dict | str, headers: dict):
        send = getattr(self.client, method)
        return send(
            f"/fhir/{path}",
            body,
            content_type="application/fhir+json",
            headers={**self.headers, **headers},
        )


def outcome_issue(response) -> dict:
    """The first issue of an OperationOutcome response, after validating it."""
    assert response["Content-Type"].startswith("application/fhir+json")
    body = validated(response.json())
    assert body["resourceType"] == "OperationOutcome"
    return body["issue"][0]
