"""The page a waiting patient reaches from an offer, without logging in."""

import re

import pytest
from django.test import Client

from carebridge.audit.models import AuditEntry
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.backfill import offer_url
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient
from carebridge.scheduling.tests.waitlisting import offer_messages, offers_of, waiting

OFFER_LINK = re.compile(r"https?://\S+/p/o/\S+/")


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def offers(clinic_a):
    entries = [
        waiting(clinic_a, 1),
        waiting(clinic_a, 2, patient_fields={"preferred_language": "es"}),
    ]
    visit = book(clinic_a, reachable_patient(clinic_a.organization, mrn="V-1"))
    appointment_cancel(appointment=visit, actor=None, reason="away")
    return [offers_of(entry)[0] for entry in entries]


def path(offer) -> str:
    return re.sub(r"^https?://[^/]+", "", offer_url(offer))


def test_the_link_in_the_offer_shows_the_time_and_the_hold(client, offers):
    body = offer_messages(offers[0])[0].body_text
    link = re.sub(r"^https?://[^/]+", "", OFFER_LINK.search(body).group())

    response = client.get(link)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Thursday Dec. 10, 2026, 10 a.m." in html and "Dr. Ana Okafor" in html
    assert "until 7:30 a.m.</p>" in html  # 30 minutes from now, Boston time; one full stop
    assert html.count('method="post"') == 2
    audit = AuditEntry.objects.filter(object_ref=str(offers[0].entry.public_id), action="read")
    assert audit.exists()


def test_the_page_speaks_the_patients_language(client, offers):
    html = client.get(path(offers[1])).content.decode()

    assert "Se liberó una hora" in html and "Tomar esta hora" in html


def test_taking_the_time_books_it(client, offers):
    response = client.post(path(offers[0]) + "take/")

    assert response.status_code == 200
    assert "this time is yours" in response.content.decode()
    assert Appointment.objects.get(start=VISIT, status="booked").patient == offers[0].entry.patient


def test_the_second_patient_finds_it_taken(client, offers):
    client.post(path(offers[0]) + "take/")

    response = client.post(path(offers[1]) + "take/")

    assert response.status_code == 409
    assert "ya fue tomada" in response.content.decode()
    assert 'method="post"' not in response.content.decode()


def test_declining_says_the_patient_stays_on_the_list(client, offers):
    response = client.post(path(offers[0]) + "decline/")

    assert "You stay on our waiting list" in response.content.decode()
    offers[0].refresh_from_db()
    assert offers[0].status == "declined"


def test_a_get_never_changes_anything(client, offers):
    client.get(path(offers[0]) + "take/")

    offers[0].refresh_from_db()
    assert offers[0].status == "open"


def test_a_forged_link_is_not_found(client, offers):
    response = client.get(path(offers[0])[:-6] + "xxxxx/")

    assert response.status_code == 404


def test_posts_need_the_csrf_token(offers):
    strict = Client(enforce_csrf_checks=True)

    assert strict.post(path(offers[0]) + "take/").status_code == 403
