"""The inbox shows when each reply came in the clinic's own time, as every other page does."""

import pytest

from carebridge.scheduling.services.replies import sms_text_received
from carebridge.scheduling.tests.messaging import (
    NOW,
    book,
    deliver_due,
    reachable_patient,
    use_file_gateways,
)


@pytest.fixture(autouse=True)
def monday(settings, tmp_path, time_machine):
    use_file_gateways(settings, tmp_path)
    time_machine.move_to(NOW, tick=False)


def test_a_reply_shows_when_it_came_in_the_clinics_time(client, coordinator_a, clinic_a):
    book(clinic_a, reachable_patient(clinic_a.organization))
    deliver_due()
    sms_text_received(
        from_address="+16175550199",
        to_address="+16175550000",
        body="Can I bring my daughter?",
        provider_message_id="SM1",
    )
    client.force_login(coordinator_a)

    html = client.get("/inbox/").content.decode()

    # 12:00 UTC is 07:00 in Boston, where Clinic A is.
    assert "2026-11-30 07:00 EST" in html
    assert "12:00" not in html and "UTC" not in html
