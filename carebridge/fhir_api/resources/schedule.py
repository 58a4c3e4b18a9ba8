"""Schedule: one per practitioner per location, derived (there is no schedule row).

Its id is a name-based UUID of the two public ids, so it is stable and reveals neither.
"""

from __future__ import annotations

import uuid

from carebridge.directory.models import Location, Practitioner
from carebridge.fhir_api.resources import reference_to

SCHEDULE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:carebridge:fhir:schedule")


def schedule_id(practitioner: Practitioner, location: Location) -> uuid.UUID:
    return uuid.uuid5(SCHEDULE_NAMESPACE, f"{practitioner.public_id}/{location.public_id}")


def to_fhir_schedule(practitioner: Practitioner, location: Location) -> dict:
    return {
        "resourceType": "Schedule",
        "id": str(schedule_id(practitioner, location)),
        "active": practitioner.active and location.active,
        "actor": [
            reference_to("Practitioner", practitioner.public_id, practitioner.display_name),
            reference_to("Location", location.public_id, location.name),
        ],
        "comment": f"{practitioner.display_name} at {location.name}",
    }
