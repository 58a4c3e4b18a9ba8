"""Writers appending to one organization's log at once, over real connections."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from carebridge.audit.constants import AuditAction
from carebridge.audit.models import AuditEntry
from carebridge.audit.services import AuditTarget, audit_record_many, audit_verify

WRITERS = 16
pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def test_sixteen_writers_at_once_leave_one_unbroken_chain(org_a, coordinator_a):
    audit_record_many(
        organization_id=org_a.pk,
        actor=coordinator_a,
        action=AuditAction.READ,
        targets=[AuditTarget("Patient", "first")],
    )
    barrier = threading.Barrier(WRITERS)

    def write(writer: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                audit_record_many(
                    organization_id=org_a.pk,
                    actor=coordinator_a,
                    action=AuditAction.READ,
                    targets=[AuditTarget("Patient", f"{writer}-{n}") for n in range(3)],
                )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(write, range(WRITERS)))

    sequences = AuditEntry.objects.filter(organization=org_a).values_list("sequence", flat=True)
    assert sorted(sequences) == list(range(1, 2 + 3 * WRITERS))
    assert audit_verify(organization_id=org_a.pk) == []
