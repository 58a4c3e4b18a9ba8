import datetime

import pytest

from carebridge.fhir_api.resources.communication import to_fhir_outbound_communication
from carebridge.fhir_api.resources.communication_request import to_fhir_communication_request
from carebridge.fhir_api.tests.fhir_http import validated
from carebridge.notifications.constants import MessageChannel, MessageKind, MessageStatus
from carebridge.notifications.models import OutboundMessage

NOON = datetime.datetime(2030, 3, 4, 17, 0, tzinfo=datetime.UTC)


def message(organization, **fields) -> OutboundMessage:
    """An outbox row as the mapper sees it (not saved: mappers read, they never query)."""
    values = {
        "organization": organization,
        "kind": MessageKind.REMINDER,
        "channel": MessageChannel.SMS,
        "body_text": "See you soon.",
        "due_at": NOON,
        "status": MessageStatus.PENDING,
        "created_at": NOON,
        "updated_at": NOON,
    }
    return OutboundMessage(**(values | fields))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", "active"),
        ("sending", "active"),
        ("sent", "completed"),
        ("failed", "revoked"),
        ("withdrawn", "revoked"),
        ("suppressed", "revoked"),
    ],
)
def test_every_outbox_status_is_a_request_status(org_a, status, expected):
    resource = validated(to_fhir_communication_request(message(org_a, status=status), org_a))

    assert resource["status"] == expected
    assert ("statusReason" in resource) == (expected == "revoked")


@pytest.mark.parametrize("kind", MessageKind.values)
@pytest.mark.parametrize("channel", MessageChannel.values)
def test_every_kind_and_channel_maps_to_valid_codes(org_a, kind, channel):
    resource = validated(
        to_fhir_communication_request(message(org_a, kind=kind, channel=channel), org_a)
    )

    general, own = resource["category"]
    assert general["coding"][0]["code"] == ("reminder" if kind == "reminder" else "notification")
    assert own["coding"][0] == {
        "system": "urn:carebridge:message-kind",
        "code": kind,
        "display": MessageKind(kind).label,
    }
    assert resource["medium"][0]["coding"][0]["code"] in ("SMSWRIT", "EMAILWRIT")


def test_a_message_about_no_visit_and_no_patient_has_neither(org_a):
    resource = validated(to_fhir_communication_request(message(org_a), org_a))

    assert not {"about", "subject", "recipient"} & set(resource)
    assert resource["occurrenceDateTime"] == "2030-03-04T12:00:00-05:00"


def test_a_sent_message_maps_to_both_resources_under_one_id(org_a):
    sent = message(org_a, status=MessageStatus.SENT, sent_at=NOON)

    request = validated(to_fhir_communication_request(sent, org_a))
    event = validated(to_fhir_outbound_communication(sent, org_a))

    assert event["id"] == request["id"]
    assert event["basedOn"] == [{"reference": f"CommunicationRequest/{request['id']}"}]
    assert (request["status"], event["status"]) == ("completed", "completed")
