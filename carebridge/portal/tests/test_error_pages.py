"""A patient meets errors in the patient's own words, never the desk's English pages."""

import pytest
from django.test import Client

from carebridge.portal import views
from carebridge.scheduling.links import visit_links
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def confirm_path(clinic_a):
    visit = book(clinic_a, reachable_patient(clinic_a.organization, preferred_language="es"))
    url = visit_links(appointment_public_id=str(visit.public_id), expires_at=VISIT)["confirm_url"]
    return "/" + url.split("/", 3)[3]


def test_a_patients_form_sent_without_its_token_is_explained_in_every_language(confirm_path):
    response = Client(enforce_csrf_checks=True).post(confirm_path)

    html = response.content.decode()
    assert response.status_code == 403
    assert "This page was open too long" in html
    assert "Esta página estuvo abierta demasiado tiempo" in html
    assert "CSRF" not in html


def test_a_staff_form_sent_without_its_token_gets_the_desks_page(coordinator_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator_a)

    page = client.post("/patients/new/", {})
    panel = client.post("/patients/new/", {}, headers={"HX-Request": "true"})

    assert page.status_code == 403 and "Form expired" in page.content.decode()
    assert 'class="mainnav"' in page.content.decode()
    assert panel.status_code == 403 and 'class="mainnav"' not in panel.content.decode()


def test_a_failure_on_a_patients_page_is_in_every_language(confirm_path, monkeypatch):
    def fail(appointment):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(views.ACTIONS, "confirm", fail)
    client = Client(raise_request_exception=False)

    response = client.post(confirm_path)

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and "Algo salió mal" in html
    assert "administrator" not in html
