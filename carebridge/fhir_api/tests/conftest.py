"""Fixtures the FHIR tests share: a client with clinic A's token, a frozen Monday morning
and a visit booked on it."""

import pytest
import time_machine

from carebridge.fhir_api.tests.fhir_http import MONDAY, MONDAY_MORNING, FhirClient, at
from carebridge.scheduling.services.appointments import appointment_book


@pytest.fixture
def fhir_a(token_a):
    return FhirClient(token_a)


@pytest.fixture
def monday_morning():
    with time_machine.travel(MONDAY_MORNING, tick=False):
        yield


@pytest.fixture
def booked(clinic_a, patient_a):
    """Clinic A's patient booked for Monday 10:00."""
    return appointment_book(
        organization=clinic_a.organization,
        actor=None,
        patient=patient_a,
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        visit_type=clinic_a.visit_type,
        start=at(MONDAY, 10),
    )
