"""Row locks on patients (the only place in this app that takes them)."""

from __future__ import annotations

from carebridge.patients.models import Patient


def patients_lock(*, organization_id: int, ids: list[int]) -> dict[int, Patient]:
    """Lock the organization's patients with these ids until the transaction ends, in id
    order (two transactions locking the same pair never wait on each other in a cycle),
    and return them read afresh by id."""
    rows = (
        Patient.objects.select_for_update()
        .filter(organization_id=organization_id, pk__in=ids)
        .order_by("pk")
    )
    return {patient.pk: patient for patient in rows}
