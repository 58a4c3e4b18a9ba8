"""A second practitioner at a test clinic's location, for tests about more than one."""

from __future__ import annotations

import datetime

from carebridge.directory.services import practitioner_create, practitioner_role_create
from carebridge.scheduling.services.setup import availability_rule_create


def colleague_add(
    clinic,
    *,
    weekday: int,
    hours: tuple[int, int] = (9, 17),
    given_name: str = "Kim",
    family_name: str = "Park",
    languages: tuple[str, ...] = (),
):
    """A practitioner with a role at the clinic's location, working `hours` on `weekday`."""
    colleague = practitioner_create(
        organization=clinic.organization,
        given_name=given_name,
        family_name=family_name,
        languages=list(languages),
    )
    practitioner_role_create(practitioner=colleague, location=clinic.location)
    availability_rule_create(
        practitioner=colleague,
        location=clinic.location,
        weekday=weekday,
        start_time=datetime.time(hours[0]),
        end_time=datetime.time(hours[1]),
    )
    return colleague
