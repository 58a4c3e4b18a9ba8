"""Standard FHIR clients against a live server: reading and searching patients, booking."""

import pytest
import time_machine
from fhirclient import client as smart_client
from fhirclient.models.appointment import Appointment as SmartAppointment
from fhirclient.models.patient import Patient as SmartPatient
from fhirclient.models.slot import Slot as SmartSlot
from fhirpy import SyncFHIRClient

from carebridge.fhir_api.tests.fhir_http import MONDAY, MONDAY_MORNING
from carebridge.scheduling.models import Appointment


@pytest.fixture(autouse=True)
def monday_morning():
    # Ticking, so the server thread's sockets and timeouts behave.
    with time_machine.travel(MONDAY_MORNING, tick=True):
        yield


def booking(slot_id: str, patient_id: str) -> dict:
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot_id}"}],
        "participant": [{"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"}],
    }


@pytest.mark.django_db(transaction=True)
def test_fhirpy_reads_searches_and_books(live_server, token_a, patient_a, patient_b, clinic_a):
    fhir = SyncFHIRClient(f"{live_server.url}/fhir", authorization=f"Bearer {token_a}")
    patient_id = str(patient_a.public_id)

    found = fhir.resources("Patient").search(family="alvarez").fetch()
    read = fhir.reference("Patient", patient_id).to_resource()
    everyone = fhir.resources("Patient").fetch_all()
    slot = fhir.resources("Slot").search(start=f"ge{MONDAY}", status="free").limit(1).fetch()[0]
    appointment = fhir.resource("Appointment", **booking(slot["id"], patient_id))
    appointment.save()

    assert [patient["id"] for patient in found] == [patient_id]
    assert read["birthDate"] == "1980-05-17"
    assert [patient["id"] for patient in everyone] == [patient_id]
    assert fhir.resources("Patient").search(family="brown").count() == 0
    assert appointment["id"]
    assert appointment["start"] == slot["start"]
    booked = fhir.resources("Appointment").search(patient=f"Patient/{patient_id}").fetch_all()
    assert [item["id"] for item in booked] == [appointment["id"]]
    assert Appointment.objects.get(public_id=appointment["id"]).booking_channel == "fhir"


@pytest.mark.django_db(transaction=True)
def test_fhirclient_reads_searches_and_books(live_server, token_a, patient_a, clinic_a):
    smart = smart_client.FHIRClient(
        settings={"app_id": "carebridge-tests", "api_base": f"{live_server.url}/fhir/"}
    )
    smart.server.session.headers["Authorization"] = f"Bearer {token_a}"
    patient_id = str(patient_a.public_id)

    read = SmartPatient.read(patient_id, smart.server)
    found = SmartPatient.where(struct={"given": "jose"}).perform_resources(smart.server)
    slot_search = SmartSlot.where(struct={"start": f"ge{MONDAY}", "status": "free", "_count": "50"})
    first_page = slot_search.perform(smart.server)
    slots = slot_search.perform_resources(smart.server)
    created = SmartAppointment(booking(slots[0].id, patient_id)).create(smart.server)
    appointment = SmartAppointment.read(created["id"], smart.server)

    assert read.name[0].family == "Álvarez"
    assert [patient.id for patient in found] == [patient_id]
    assert len(first_page.entry) == 50
    assert len(slots) == first_page.total > 50  # every page, by following the next links
    assert appointment.status == "booked"
    assert appointment.start.isostring == slots[0].start.isostring
    assert appointment.participant[0].actor.reference == f"Patient/{patient_id}"
