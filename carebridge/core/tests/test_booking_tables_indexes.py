"""The tables every booking writes carry no index that another one already gives: each
index costs an entry on every row written (on the outbox, on every version of a row)."""

import pytest
from django.db import connection

from carebridge.audit.models import AuditEntry
from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.models import Appointment, AppointmentHistory

BOOKING_TABLES = [Appointment, AppointmentHistory, OutboundMessage, AuditEntry]


def _indexes(table: str) -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: details
        for name, details in found.items()
        if (details["index"] or details["unique"]) and details["columns"]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", BOOKING_TABLES, ids=lambda model: model.__name__)
def test_no_plain_index_is_the_leading_part_of_another(model):
    indexes = _indexes(model._meta.db_table)
    redundant = [
        (name, other)
        for name, details in indexes.items()
        if not details["unique"] and details.get("type") != "gist"
        for other, covering in indexes.items()
        if other != name
        and covering.get("type") != "gist"
        and covering["columns"][: len(details["columns"])] == details["columns"]
    ]

    assert redundant == []
