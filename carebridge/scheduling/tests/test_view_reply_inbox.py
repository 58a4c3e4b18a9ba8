import pytest

from carebridge.audit.models import AuditEntry
from carebridge.notifications.models import InboundMessage
from carebridge.notifications.services.inbound import inbound_record
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.replies import sms_reply_handle
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    deliver_due,
    reachable_patient,
    use_file_gateways,
    waiting,
)
from carebridge.tests.api_client import queries_for


@pytest.fixture(autouse=True)
def monday(settings, tmp_path, time_machine):
    use_file_gateways(settings, tmp_path)
    time_machine.move_to(NOW, tick=False)


def unclear_reply(clinic, mrn: str, phone: str, sid: str, hour: int = 10) -> InboundMessage:
    patient = reachable_patient(clinic.organization, mrn=mrn, phone_mobile=phone)
    book(clinic, patient, start=VISIT.replace(hour=hour))
    deliver_due()
    inbound = inbound_record(
        channel="sms",
        from_address=patient.phone_mobile,
        to_address="",
        body="Can I bring my daughter?",
        provider_message_id=sid,
    )
    return sms_reply_handle(inbound=inbound)


@pytest.fixture
def reply(clinic_a):
    return unclear_reply(clinic_a, "M-1", "+16175550199", "SM1")


def test_inbox_lists_replies_that_need_a_person(client, coordinator_a, reply):
    client.force_login(coordinator_a)

    response = client.get("/inbox/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Can I bring my daughter?" in html and "Diaz, Rosa" in html
    assert AuditEntry.objects.filter(
        action="query", object_ref=str(reply.public_id), detail="replies needing attention"
    ).exists()


def test_inbox_does_not_query_per_reply(client, coordinator_a, clinic_a, reply):
    client.force_login(coordinator_a)
    one = queries_for(lambda: client.get("/inbox/"))
    unclear_reply(clinic_a, "M-2", "+16175550198", "SM2", hour=11)

    assert queries_for(lambda: client.get("/inbox/")) == one


def test_marking_dealt_with_removes_it(client, coordinator_a, reply):
    client.force_login(coordinator_a)

    response = client.post(f"/inbox/{reply.public_id}/resolve/")

    reply.refresh_from_db()
    assert response.status_code == 302
    assert (reply.resolved_by, reply.needs_attention) == (coordinator_a, False)
    assert "Can I bring my daughter?" not in client.get("/inbox/").content.decode()


def test_other_organization_sees_nothing_and_gets_404(client, coordinator_b, reply):
    client.force_login(coordinator_b)

    assert "Can I bring my daughter?" not in client.get("/inbox/").content.decode()
    assert client.post(f"/inbox/{reply.public_id}/resolve/").status_code == 404
    reply.refresh_from_db()
    assert reply.resolved_at is None


def test_anonymous_is_sent_to_login(client, reply):
    response = client.get("/inbox/")

    assert response.status_code == 302 and response.url.startswith("/login/")


def test_a_reply_from_a_shared_number_shows_the_visits_it_could_be_about(
    client, coordinator_a, clinic_a
):
    unclear_reply(clinic_a, "M-1", "+16175550199", "SM1")
    sibling = reachable_patient(clinic_a.organization, mrn="M-2", given_name="Luz")
    book(clinic_a, sibling, start=VISIT.replace(hour=11))
    deliver_due()
    inbound = inbound_record(
        channel="sms",
        from_address="+16175550199",
        to_address="",
        body="C",
        provider_message_id="SM2",
    )
    sms_reply_handle(inbound=inbound)
    client.force_login(coordinator_a)

    html = client.get("/inbox/").content.decode()

    assert "Shared number, one of:" in html
    assert "Diaz, Luz" in html and "visit Thu Dec 10, 11:00 AM" in html
    assert "Diaz, Rosa" in html and "visit Thu Dec 10, 10:00 AM" in html
    assert AuditEntry.objects.filter(
        action="query", object_ref=str(inbound.public_id), patient_ref=str(sibling.public_id)
    ).exists()


def test_a_reply_from_a_shared_number_shows_the_offers_it_could_be_about(
    client, coordinator_a, clinic_a
):
    family = [
        reachable_patient(clinic_a.organization, mrn=f"M-{n}", given_name=name)
        for n, name in ((1, "Rosa"), (2, "Luz"))
    ]
    waiting(clinic_a, *family)
    freed = book(
        clinic_a, reachable_patient(clinic_a.organization, mrn="M-3", phone_mobile="+16175550111")
    )
    appointment_cancel(appointment=freed, actor=None, reason="away")
    deliver_due()  # the slot is offered to both, by text to their one number
    inbound = inbound_record(
        channel="sms",
        from_address="+16175550199",
        to_address="",
        body="YES",
        provider_message_id="SM1",
    )
    sms_reply_handle(inbound=inbound)
    client.force_login(coordinator_a)

    html = client.get("/inbox/").content.decode()

    assert "Shared number, one of:" in html
    assert html.count("waitlist offer Thu Dec 10, 10:00 AM") == 2
    assert "Diaz, Rosa" in html and "Diaz, Luz" in html
    assert {
        entry.patient_ref
        for entry in AuditEntry.objects.filter(action="query", object_ref=str(inbound.public_id))
    } == {str(patient.public_id) for patient in family}
