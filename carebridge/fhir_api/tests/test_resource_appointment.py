import pytest
import time_machine

from carebridge.core.errors import InvalidInput
from carebridge.fhir_api.resources.appointment import parse_appointment, to_fhir_appointment
from carebridge.fhir_api.resources.schedule import schedule_id
from carebridge.fhir_api.resources.slot import parse_slot_id
from carebridge.fhir_api.tests.fhir_http import MONDAY, MONDAY_MORNING, at, validated
from carebridge.scheduling.services.appointments import appointment_book, appointment_cancel


@pytest.fixture
def appointment(clinic_a, patient_a):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        return appointment_book(
            organization=clinic_a.organization,
            actor=None,
            patient=patient_a,
            practitioner=clinic_a.practitioner,
            location=clinic_a.location,
            visit_type=clinic_a.visit_type,
            start=at(MONDAY, 10),
            notes="Bring the glucose diary",
        )


def payload(**changes) -> dict:
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "start": "2030-03-04T10:00:00-05:00",
        "participant": [
            {"actor": {"reference": "Patient/p1"}},
            {"actor": {"reference": "Practitioner/d1"}},
            {"actor": {"reference": "Location/l1"}},
        ],
        **changes,
    }


def test_appointment_is_valid_r4_with_times_in_the_locations_zone(appointment, clinic_a):
    resource = validated(to_fhir_appointment(appointment))

    assert resource["status"] == "booked"
    assert resource["meta"]["versionId"] == "1"
    assert resource["start"] == "2030-03-04T10:00:00-05:00"
    assert resource["end"] == "2030-03-04T10:30:00-05:00"
    assert resource["minutesDuration"] == 30
    assert resource["comment"] == "Bring the glucose diary"
    assert resource["serviceType"][0]["coding"][0]["code"] == "follow-up"
    assert [p["actor"]["reference"].split("/")[0] for p in resource["participant"]] == [
        "Patient",
        "Practitioner",
        "Location",
    ]


def test_appointment_names_the_slot_it_occupies(appointment, clinic_a):
    slot = to_fhir_appointment(appointment)["slot"][0]["reference"]

    key = parse_slot_id(slot.removeprefix("Slot/"))

    assert key.schedule_id == schedule_id(clinic_a.practitioner, clinic_a.location)
    assert key.visit_type_id == clinic_a.visit_type.public_id
    assert key.start == appointment.start


def test_cancelled_appointment_carries_the_reason_and_no_slot(appointment):
    cancelled = appointment_cancel(appointment=appointment, actor=None, reason="Feeling better")

    resource = validated(to_fhir_appointment(cancelled))

    assert resource["status"] == "cancelled"
    assert resource["cancelationReason"] == {"text": "Feeling better"}
    assert "slot" not in resource


def test_parse_reads_participants_times_and_service_type():
    data = parse_appointment(
        payload(
            comment="first visit",
            serviceType=[{"coding": [{"system": "urn:carebridge:visit-type", "code": "new"}]}],
            end="2030-03-04T10:30:00-05:00",
        )
    )

    assert (data.patient_id, data.practitioner_id, data.location_id) == ("p1", "d1", "l1")
    assert data.visit_type_code == "new"
    assert data.start.isoformat() == "2030-03-04T10:00:00-05:00"
    assert data.end.isoformat() == "2030-03-04T10:30:00-05:00"
    assert data.notes == "first visit"


def test_parse_accepts_a_slot_instead_of_start_and_participants():
    data = parse_appointment(
        {
            "resourceType": "Appointment",
            "status": "booked",
            "slot": [{"reference": "Slot/abc"}],
            "participant": [{"actor": {"reference": "Patient/p1"}}],
        }
    )

    assert (data.slot_id, data.start) == ("abc", None)


@pytest.mark.parametrize(
    ("changes", "element"),
    [
        ({"status": "waiting"}, "Appointment.status"),
        ({"start": "2030-03-04T10:00:00"}, "Appointment.start"),
        ({"start": "next tuesday"}, "Appointment.start"),
        ({"start": None}, "Appointment.slot"),
        ({"participant": [{"actor": {"reference": "Practitioner/d1"}}]}, "Appointment.participant"),
        ({"participant": [{"actor": {"reference": "Device/x"}}]}, "Appointment.participant"),
        ({"participant": "Patient/p1"}, "Appointment.participant"),
        ({"slot": [{"reference": "Slot/a"}, {"reference": "Slot/b"}]}, "Appointment.slot"),
        ({"slot": [{"reference": "Schedule/a"}]}, "Appointment.slot"),
        (
            {"serviceType": [{"coding": [{"system": "urn:x", "code": "y"}]}]},
            "Appointment.serviceType",
        ),
        ({"cancelationReason": "ill"}, "Appointment.cancelationReason"),
    ],
)
def test_parse_names_the_element_at_fault(changes, element):
    body = {key: value for key, value in payload(**changes).items() if value is not None}

    with pytest.raises(InvalidInput) as error:
        parse_appointment(body)

    assert error.value.field == element
