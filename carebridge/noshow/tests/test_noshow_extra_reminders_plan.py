import datetime

import pytest
import time_machine

from carebridge.noshow.models import NoShowPolicy, NoShowScore
from carebridge.noshow.services import (
    noshow_extra_reminders_plan,
    noshow_outreach_refresh,
    noshow_scores_refresh,
)
from carebridge.notifications.constants import MessageKind
from carebridge.notifications.models import OutboundMessage

from .conftest import at, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def risky(clinic_a, texting_patient):
    """Two no-shows, then a visit on Thursday the 12th at 10:00, scored high on the 9th."""
    visit(clinic_a, texting_patient, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, texting_patient, at(3, 9), booked_at=at(1, 10), outcome="noshow")
    return visit(clinic_a, texting_patient, at(12, 10), booked_at=at(4, 10))


def extra_reminders():
    """Reminders a day before a visit: the policy's (7 days, 2 days, 2 hours) never are."""
    return [
        message
        for message in OutboundMessage.objects.filter(kind=MessageKind.REMINDER).exclude(
            status="withdrawn"
        )
        if message.due_at == at(12, 10) - datetime.timedelta(hours=24)
    ]


def test_a_high_risk_visit_gets_one_extra_reminder_a_day_before(clinic_a, risky):
    with time_machine.travel(at(9, 12), tick=False):
        scored, queued = noshow_outreach_refresh(organization=clinic_a.organization)
        again = noshow_outreach_refresh(organization=clinic_a.organization)

    [message] = extra_reminders()
    assert (scored, queued, again) == (1, 1, (1, 0))
    assert message.due_at == at(12, 10) - datetime.timedelta(hours=24)
    assert (message.topic_type, message.topic_id) == ("appointment", str(risky.public_id))
    assert message.to_address == "+16175550101"
    assert NoShowScore.objects.get(appointment=risky).extra_reminder == message


def test_low_risk_visits_get_none(clinic_a, texting_patient):
    visit(clinic_a, texting_patient, at(12, 10), booked_at=at(10, 10))

    with time_machine.travel(at(11, 8), tick=False):
        noshow_outreach_refresh(organization=clinic_a.organization)

    assert NoShowScore.objects.get().band == "low"
    assert extra_reminders() == []


def test_policy_can_turn_it_off(clinic_a, risky):
    NoShowPolicy.objects.create(organization=clinic_a.organization, extra_reminder_hours=0)

    with time_machine.travel(at(9, 12), tick=False):
        noshow_outreach_refresh(organization=clinic_a.organization)

    assert NoShowScore.objects.get(appointment=risky).band == "high"
    assert extra_reminders() == []


def test_other_organizations_are_not_reminded(clinic_a, clinic_b, risky):
    with time_machine.travel(at(9, 12), tick=False):
        noshow_scores_refresh(organization=clinic_a.organization)
        assert noshow_extra_reminders_plan(organization=clinic_b.organization) == 0
    assert NoShowScore.objects.get(appointment=risky).band == "high"
    assert extra_reminders() == []
