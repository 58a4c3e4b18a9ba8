"""A patient's page of other times, left open while the desk moves the visit."""

import re

import pytest

from carebridge.scheduling.links import visit_links
from carebridge.scheduling.models import RescheduleOffer
from carebridge.scheduling.services.appointments import appointment_reschedule
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def appointment(clinic_a):
    return book(clinic_a, reachable_patient(clinic_a.organization))


def links(appointment) -> dict[str, str]:
    found = visit_links(appointment_public_id=str(appointment.public_id), expires_at=VISIT)
    return {name: re.sub(r"^https?://[^/]+", "", url) for name, url in found.items()}


def test_a_choice_from_before_a_desk_move_gets_fresh_times(client, appointment, coordinator_a):
    urls = links(appointment)
    client.post(urls["reschedule_url"])
    old = RescheduleOffer.objects.get()
    desk_start = old.options.get(number=2).start
    appointment_reschedule(appointment=appointment, actor=coordinator_a, start=desk_start)

    response = client.post(
        urls["manage_url"] + "choose/", {"offer": str(old.public_id), "number": "1"}
    )

    appointment.refresh_from_db()
    assert appointment.start == desk_start
    html = response.content.decode()
    assert "that time was just taken" in html and 'name="number"' in html
    assert RescheduleOffer.objects.filter(closed_at__isnull=True).exclude(pk=old.pk).count() == 1
