import pytest

from carebridge.scheduling.links import email_opt_out_url
from carebridge.scheduling.tests.messaging import reachable_patient


@pytest.fixture
def patient(org_a):
    return reachable_patient(org_a, preferred_language="es")


def path_of(patient) -> str:
    return "/" + email_opt_out_url(patient_public_id=str(patient.public_id)).split("/", 3)[3]


def test_opening_the_link_asks_first(client, patient):
    response = client.get(path_of(patient))

    patient.refresh_from_db()
    assert "¿Quiere dejar de recibir correos de Clinic A?" in response.content.decode()
    assert patient.consent_email and patient.email_opted_out_at is None


def test_pressing_stops_emails(client, patient):
    response = client.post(path_of(patient))

    patient.refresh_from_db()
    assert "No recibirá más correos de Clinic A." in response.content.decode()
    assert not patient.consent_email and patient.email_opted_out_at is not None
    assert patient.consent_sms


def test_a_forged_link_is_not_found(client, patient):
    assert client.post(path_of(patient)[:-4] + "abc/").status_code == 404
    patient.refresh_from_db()
    assert patient.consent_email


def test_the_page_is_marked_in_the_language_it_is_written_in(client, patient):
    html = client.get(path_of(patient)).content.decode()

    assert '<html lang="es">' in html


def test_opening_the_link_again_after_opting_out_says_so(client, patient):
    client.post(path_of(patient))

    html = client.get(path_of(patient)).content.decode()

    assert "No recibirá más correos de Clinic A." in html
    assert "¿Quiere dejar de recibir correos" not in html
