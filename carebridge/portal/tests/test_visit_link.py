"""The visit page a patient reaches from a message, without logging in."""

import datetime
import re

import pytest
from django.test import Client

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import StaleVersion
from carebridge.portal import views
from carebridge.scheduling.links import email_opt_out_url, visit_links
from carebridge.scheduling.models import RescheduleOffer
from carebridge.scheduling.services.appointments import appointment_reschedule
from carebridge.scheduling.services.time_off import availability_exception_create
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    messages_about,
    reachable_patient,
)

LINK = re.compile(r"https?://\S+/p/v/\S+/")


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def appointment(clinic_a):
    return book(clinic_a, reachable_patient(clinic_a.organization))


def links(appointment) -> dict[str, str]:
    found = visit_links(appointment_public_id=str(appointment.public_id), expires_at=VISIT)
    return {name: re.sub(r"^https?://[^/]+", "", url) for name, url in found.items()}


def test_the_link_in_the_confirmation_shows_the_visit(client, appointment):
    body = messages_about(appointment, kind="confirmation")[0].body_text
    path = re.sub(r"^https?://[^/]+", "", LINK.search(body).group())

    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Clinic A" in html and "Thursday Dec. 10, 2026, 10 a.m." in html
    assert "Clinic A Main, Boston, MA" in html and "Dr. Ana Okafor" in html
    assert html.count('method="post"') == 3
    audit = AuditEntry.objects.filter(object_ref=str(appointment.public_id), action="read")
    assert audit.filter(detail="shown through the patient's link").exists()


def test_the_page_speaks_the_patients_language(client, clinic_a):
    patient = reachable_patient(clinic_a.organization, preferred_language="es", mrn="M-9")
    appointment = book(clinic_a, patient)

    html = client.get(links(appointment)["manage_url"]).content.decode()

    assert '<html lang="es">' in html
    assert "Su cita" in html and "jueves 10 de diciembre de 2026" in html
    assert "Iré a la cita" in html


def test_opening_an_action_link_changes_nothing_until_the_patient_presses(client, appointment):
    response = client.get(links(appointment)["confirm_url"])

    appointment.refresh_from_db()
    assert "Will you come to this visit?" in response.content.decode()
    assert appointment.confirmed_at is None


def test_confirm(client, appointment):
    response = client.post(links(appointment)["confirm_url"])

    appointment.refresh_from_db()
    assert "your visit is confirmed" in response.content.decode()
    assert (appointment.confirmed_via, appointment.confirmed_at) == ("link", NOW)


def test_changes_need_the_csrf_token(appointment):
    response = Client(enforce_csrf_checks=True).post(links(appointment)["cancel_url"])

    appointment.refresh_from_db()
    assert response.status_code == 403
    assert appointment.status == "booked"


def test_cancel_frees_the_visit_and_the_link_then_says_so(client, appointment):
    urls = links(appointment)

    client.post(urls["cancel_url"])

    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancelled_by) == ("cancelled", "patient")
    assert [m.kind for m in messages_about(appointment, status="pending")] == ["cancellation"]
    html = client.get(urls["manage_url"]).content.decode()
    assert "Your visit is cancelled." in html and 'method="post"' not in html
    assert client.post(urls["confirm_url"]).status_code == 200
    appointment.refresh_from_db()
    assert appointment.confirmed_at is None


def test_reschedule_offers_times_and_moves_the_visit(client, appointment):
    urls = links(appointment)

    html = client.post(urls["reschedule_url"]).content.decode()

    offer = RescheduleOffer.objects.get(appointment=appointment)
    assert "These times are free" in html and html.count('name="number"') == 3
    response = client.post(
        urls["manage_url"] + "choose/", {"offer": str(offer.public_id), "number": "3"}
    )
    appointment.refresh_from_db()
    assert "your visit has moved" in response.content.decode()
    assert appointment.start == offer.options.get(number=3).start
    assert messages_about(appointment, status="pending")[0].kind == "update"


def test_an_old_offer_gets_fresh_times(client, appointment):
    urls = links(appointment)
    client.post(urls["reschedule_url"])
    old = RescheduleOffer.objects.get()
    client.post(urls["reschedule_url"])

    response = client.post(
        urls["manage_url"] + "choose/", {"offer": str(old.public_id), "number": "1"}
    )

    appointment.refresh_from_db()
    assert "that time was just taken" in response.content.decode()
    assert appointment.start == VISIT


def test_a_tampered_link_is_not_found(client, appointment):
    path = links(appointment)["manage_url"]
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]

    response = client.get(tampered)

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_link_made_for_another_purpose_is_refused(client, appointment):
    token = email_opt_out_url(patient_public_id=str(appointment.patient.public_id)).split("/")[-2]

    assert client.get(f"/p/v/{token}/").status_code == 404


def test_the_link_expires_when_the_visit_starts(client, appointment, time_machine):
    path = links(appointment)["manage_url"]
    time_machine.move_to(VISIT, tick=False)

    response = client.get(path)

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_a_link_for_a_visit_moved_earlier_expires_at_the_new_start(
    client, appointment, time_machine
):
    path = links(appointment)["manage_url"]
    earlier = VISIT - datetime.timedelta(days=1)
    appointment_reschedule(appointment=appointment, actor=None, start=earlier)
    time_machine.move_to(earlier + datetime.timedelta(minutes=1), tick=False)

    assert client.get(path).status_code == 410


def test_a_visit_changed_meanwhile_is_shown_as_it_is_now(client, appointment, monkeypatch):
    def changed_at_the_desk(**kwargs):
        raise StaleVersion("version: changed by someone else", field="version")

    monkeypatch.setattr(views, "appointment_cancel", changed_at_the_desk)

    response = client.post(links(appointment)["cancel_url"])

    appointment.refresh_from_db()
    assert response.status_code == 409
    assert "can no longer be changed here" in response.content.decode()
    assert appointment.status == "booked"


def test_the_page_says_when_the_practitioner_cannot_come_after_all(client, clinic_a, appointment):
    page = links(appointment)["manage_url"]
    assert "cannot see you" not in client.get(page).content.decode()
    availability_exception_create(
        practitioner=clinic_a.practitioner,
        kind="unavailable",
        start=VISIT - datetime.timedelta(hours=1),
        end=VISIT + datetime.timedelta(hours=2),
        reason="Sick",
    )

    html = client.get(page).content.decode()

    assert "Dr. Ana Okafor cannot see you at this time after all." in html
    assert "Sick" not in html  # the reason is the clinic's business


def test_a_visit_the_practitioner_will_miss_is_not_confirmed(client, clinic_a, appointment):
    availability_exception_create(
        practitioner=clinic_a.practitioner,
        kind="unavailable",
        start=VISIT - datetime.timedelta(hours=1),
        end=VISIT + datetime.timedelta(hours=2),
        reason="Sick",
    )
    confirm = links(appointment)["confirm_url"]

    asked = client.get(confirm).content.decode()
    response = client.post(confirm)

    appointment.refresh_from_db()
    html = response.content.decode()
    assert 'action="' + confirm not in asked  # no button to confirm it
    assert response.status_code == 409
    assert "cannot see you at this time after all" in html and "confirmed" not in html
    assert appointment.confirmed_at is None
