"""inbound_record keeps each incoming message once, links it to the clinic and patient it
concerns, and answers STOP, START and HELP."""

import pytest

from carebridge.directory.services import location_update
from carebridge.notifications.constants import InboundHandling, MessageKind, MessageStatus
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.notifications.services.delivery import outbox_deliver_due
from carebridge.notifications.services.inbound import inbound_record, keyword_of
from carebridge.notifications.tests.conftest import WORKER, enqueue
from carebridge.patients.services import patient_create, patient_update

pytestmark = pytest.mark.django_db
OUR_NUMBER = "+16175550000"


def receive(from_address: str, body: str, sid: str = "SM1") -> InboundMessage:
    return inbound_record(
        channel="sms",
        from_address=from_address,
        to_address=OUR_NUMBER,
        body=body,
        provider_message_id=sid,
    )


def answers() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(to_address__startswith="+1").order_by("pk"))


@pytest.fixture
def same_phone_in_clinic_b(org_b, consenting_patient):
    return patient_create(
        organization=org_b,
        actor=None,
        fields={
            "given_name": "Josefa",
            "family_name": "Álvarez",
            "birth_date": "1985-01-01",
            "phone_mobile": consenting_patient.phone_mobile,
            "consent_sms": True,
        },
    )


@pytest.mark.parametrize(
    ("body", "meaning"),
    [
        ("STOP", "opt_out"),
        (" stop. ", "opt_out"),
        ("Parar", "opt_out"),
        ("unsubscribe", "opt_out"),
        ("START", "opt_in"),
        ("help", "help"),
        ("Ayuda", "help"),
        ("CANCEL", ""),
        ("stop texting me so early", ""),
        ("C", ""),
    ],
)
def test_only_a_keyword_alone_is_a_keyword(body, meaning):
    assert keyword_of(body) == meaning


def test_a_webhook_retry_is_recorded_once_and_answered_once(consenting_patient):
    first = receive(consenting_patient.phone_mobile, "HELP")
    again = receive(consenting_patient.phone_mobile, "HELP")

    assert again.pk == first.pk
    assert InboundMessage.objects.count() == 1
    assert OutboundMessage.objects.filter(kind=MessageKind.HELP).count() == 1


def test_links_to_the_clinic_that_last_texted_the_number(
    org_b, consenting_patient, same_phone_in_clinic_b, gateway
):
    enqueue(org_b, patient=same_phone_in_clinic_b)
    outbox_deliver_due(worker=WORKER)

    inbound = receive(consenting_patient.phone_mobile, "see you then")

    assert (inbound.organization, inbound.patient) == (org_b, same_phone_in_clinic_b)
    assert inbound.handled_as == ""


def test_without_a_message_sent_links_to_a_patient_with_the_number(consenting_patient):
    inbound = receive(consenting_patient.phone_mobile, "hello?")

    assert (inbound.organization_id, inbound.patient) == (
        consenting_patient.organization_id,
        consenting_patient,
    )


def test_a_number_nobody_knows_is_kept_without_a_clinic_and_not_answered(db):
    inbound = receive("+14155550123", "STOP")

    assert (inbound.organization, inbound.patient) == (None, None)
    assert inbound.handled_as == InboundHandling.OPT_OUT
    assert not OutboundMessage.objects.exists()


def test_stop_opts_the_number_out_in_every_clinic_and_is_confirmed_once(
    consenting_patient, same_phone_in_clinic_b, gateway
):
    enqueue(consenting_patient.organization, patient=consenting_patient)
    outbox_deliver_due(worker=WORKER)

    inbound = receive(consenting_patient.phone_mobile, "Stop")

    assert inbound.handled_as == InboundHandling.OPT_OUT
    for patient in (consenting_patient, same_phone_in_clinic_b):
        patient.refresh_from_db()
        assert (patient.consent_sms, patient.sms_opted_out_at is not None) == (False, True)
    answer = answers()[-1]
    assert answer.kind == MessageKind.OPT_OUT_ACK
    assert OutboundMessage.objects.filter(kind=MessageKind.OPT_OUT_ACK).count() == 1
    assert answer.language == "es"
    assert answer.body_text.startswith("Clinic A: no recibirá más mensajes")
    # The confirmation goes out although the patient has just opted out.
    assert outbox_deliver_due(worker=WORKER).sent == 1


def test_after_stop_reminders_are_suppressed(consenting_patient, gateway):
    reminder = enqueue(consenting_patient.organization, patient=consenting_patient)
    receive(consenting_patient.phone_mobile, "STOP")

    outbox_deliver_due(worker=WORKER)

    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SUPPRESSED
    (only_the_answer,) = gateway.sent
    assert only_the_answer.body_text.startswith("Clinic A: no")


def test_start_restores_texts_where_the_number_had_opted_out(
    consenting_patient, same_phone_in_clinic_b
):
    receive(consenting_patient.phone_mobile, "STOP", sid="SM1")

    inbound = receive(consenting_patient.phone_mobile, "START", sid="SM2")

    assert inbound.handled_as == InboundHandling.OPT_IN
    for patient in (consenting_patient, same_phone_in_clinic_b):
        patient.refresh_from_db()
        assert (patient.consent_sms, patient.sms_opted_out_at) == (True, None)
    assert answers()[-1].kind == MessageKind.OPT_IN_ACK


def test_help_answers_with_the_clinics_name_and_phone(clinic_a, consenting_patient):
    location_update(location=clinic_a.location, fields={"phone": "+16175559999"})
    patient_update(patient=consenting_patient, actor=None, fields={"preferred_language": "en"})

    receive(consenting_patient.phone_mobile, "HELP")

    (answer,) = answers()
    assert answer.kind == MessageKind.HELP
    assert answer.body_text.startswith("Clinic A:")
    assert "+16175559999" in answer.body_text


def test_other_words_are_left_for_scheduling(consenting_patient):
    inbound = receive(consenting_patient.phone_mobile, "C")

    assert inbound.handled_as == ""
    assert not OutboundMessage.objects.exists()
