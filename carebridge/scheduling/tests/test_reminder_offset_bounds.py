"""Reminder offsets are bounded by OFFSET_MAX: the service refuses longer ones whichever
way they come in, and the settings form refuses them (however many digits) as a field
error, keeping what was typed."""

import datetime

import pytest
from django import forms

from carebridge.core.errors import InvalidInput
from carebridge.scheduling.forms_reminders import offsets_parse
from carebridge.scheduling.models import ReminderPolicy
from carebridge.scheduling.services.reminders import OFFSET_MAX, reminder_policy_set
from carebridge.scheduling.tests.messaging import NOW, book, reachable_patient

PAGE = "/settings/reminders/"
MINUTE = datetime.timedelta(minutes=1)
POLICY = {"offsets": "2 days", "quiet_start": "21:00", "quiet_end": "08:00"}


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_the_longest_offset_is_kept_and_visits_are_still_booked(clinic_a):
    organization = clinic_a.organization
    policy = reminder_policy_set(organization=organization, actor=None, offsets=[OFFSET_MAX])

    assert list(policy.offsets.values_list("minutes_before", flat=True)) == [365 * 1440]
    assert book(clinic_a, reachable_patient(organization)).pk


@pytest.mark.parametrize("offset", [OFFSET_MAX + MINUTE, 500_000 * 7 * 1440 * MINUTE])
def test_the_service_refuses_a_longer_offset_on_the_offsets_field(org_a, offset):
    with pytest.raises(InvalidInput) as error:
        reminder_policy_set(organization=org_a, actor=None, offsets=[datetime.timedelta(1), offset])

    assert error.value.field == "offsets"
    assert "at most 365 days" in error.value.message
    assert not ReminderPolicy.objects.exists()


@pytest.mark.parametrize(
    "text", ["366 days", "53 weeks", "500000 weeks", "99999999999 weeks", "9" * 5000 + " days"]
)
def test_the_parser_refuses_a_longer_offset_quoting_it(text):
    with pytest.raises(forms.ValidationError) as error:
        offsets_parse(f"2 days, {text}")

    assert error.value.code == "max_value"
    assert f"“{text}” is too long before the visit: at most 365 days" in error.value.messages[0]


def test_the_parser_reads_leading_zeros_as_the_number_they_write():
    assert offsets_parse("0000000000000000000002 days, 52 weeks") == [
        2 * 1440 * MINUTE,
        364 * 1440 * MINUTE,
    ]


@pytest.mark.parametrize("text", ["500000 weeks", "99999999999 weeks", "4" * 400 + " days"])
def test_the_page_shows_the_error_on_the_field_and_keeps_the_input(clinic_admin_client, text):
    response = clinic_admin_client.post(PAGE, {**POLICY, "offsets": f"2 days, {text}"})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["offsets"] and "at most 365 days" in errors["offsets"][0]
    assert f'value="2 days, {text}"' in response.content.decode()
    assert not ReminderPolicy.objects.exists()
