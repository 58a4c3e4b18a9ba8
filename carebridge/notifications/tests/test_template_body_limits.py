"""A clinic's wording has a longest body per channel (BODY_MAX): an SMS gateway sends at
most 1,600 characters, and an email's body is capped generously. Longer wording is refused
on its field, by the service and on the editor page, and nothing is kept."""

import datetime

import pytest

from carebridge.core.errors import InvalidInput
from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.models import MessageTemplate
from carebridge.notifications.services.templates import BODY_MAX, message_template_set

NOW = datetime.datetime(2026, 11, 30, 15, tzinfo=datetime.UTC)  # a Monday, 10:00 in Boston
SMS, EMAIL = MessageChannel.SMS, MessageChannel.EMAIL
SUBJECT = {SMS: "", EMAIL: "Your visit"}


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def keep(org, *, channel, body):
    return message_template_set(
        organization=org,
        actor=None,
        kind=MessageKind.REMINDER,
        language="es",
        channel=channel,
        subject=SUBJECT[channel],
        body=body,
    )


def test_the_caps_are_an_sms_gateways_limit_and_a_generous_email():
    assert BODY_MAX == {SMS: 1_600, EMAIL: 20_000}


@pytest.mark.parametrize("channel", [SMS, EMAIL])
def test_a_body_of_exactly_the_cap_is_kept(org_a, channel):
    body = "{{ date }} " + "A" * (BODY_MAX[channel] - len("{{ date }} "))

    assert keep(org_a, channel=channel, body=body).body == body


@pytest.mark.parametrize(
    ("channel", "length", "words"),
    [
        (SMS, 1_601, "body: at most 1,600 characters (the most an SMS gateway sends)"),
        (SMS, 200_000, "body: at most 1,600 characters"),
        (EMAIL, 20_001, "body: at most 20,000 characters; this one has 20,001"),
    ],
)
def test_a_longer_body_is_refused_on_the_body_field(org_a, channel, length, words):
    with pytest.raises(InvalidInput) as error:
        keep(org_a, channel=channel, body="A" * length)

    assert error.value.field == "body" and words in error.value.message
    assert not MessageTemplate.objects.exists()


@pytest.mark.parametrize("action", ["save", "preview"])
def test_the_editor_shows_the_error_on_the_body_and_keeps_the_draft(clinic_admin_client, action):
    body = "A" * 200_000
    response = clinic_admin_client.post(
        "/settings/messages/reminder/es/sms/", {"body": body, "action": action}
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["body"] and "at most 1,600 characters" in errors["body"][0]
    assert response.context["form"]["body"].value() == body
    assert 'id="id_body_error"' in response.content.decode()
    assert not MessageTemplate.objects.exists()
