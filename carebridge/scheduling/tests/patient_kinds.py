"""Visit types kept to new or to established patients, for the tests of that rule."""

from carebridge.scheduling.models import VisitType
from carebridge.scheduling.services.setup import visit_type_create


def new_and_established_visits(clinic) -> tuple[VisitType, VisitType]:
    """A 30-minute visit for new patients only, and one for established patients only."""
    return tuple(
        visit_type_create(
            organization=clinic.organization,
            name=name,
            code=code,
            duration_minutes=30,
            patient_kind=kind,
        )
        for name, code, kind in (
            ("New patient", "new", "new"),
            ("Established", "est", "established"),
        )
    )
