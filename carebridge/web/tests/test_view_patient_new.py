import pytest

from carebridge.patients.models import Patient


def new_patient(**changes):
    return {
        "given_name": "Zoë",
        "family_name": "Nguyễn",
        "birth_date": "07/04/1991",
        "sex": "female",
        "phone_mobile": "617 555 0199",
        "preferred_channel": "sms",
        "consent_sms": "on",
        **changes,
    }


def test_registers_the_patient_and_opens_the_record(coordinator_client, org_a):
    response = coordinator_client.post("/patients/new/", new_patient())
    patient = Patient.objects.get(organization=org_a)
    assert response.status_code == 302 and response.url == f"/patients/{patient.public_id}/"
    assert patient.birth_date.isoformat() == "1991-07-04"
    assert patient.phone_mobile == "+16175550199" and patient.mrn


def test_future_birth_date_is_shown_next_to_the_field(coordinator_client, org_a):
    response = coordinator_client.post("/patients/new/", new_patient(birth_date="2999-01-01"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_birth_date-error"' in html and "cannot be in the future" in html
    assert 'value="Zoë"' in html


def test_every_bad_field_is_shown_at_once(coordinator_client, org_a):
    response = coordinator_client.post(
        "/patients/new/",
        new_patient(birth_date="2999-01-01", phone_mobile="12345", timezone="Mars/Base"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    for field in ("birth_date", "phone_mobile", "timezone"):
        assert f'id="id_{field}-error"' in html
    assert not Patient.objects.filter(organization=org_a).exists()


def test_taken_mrn_is_shown_next_to_the_field(coordinator_client, patient_a):
    response = coordinator_client.post("/patients/new/", new_patient(mrn="A-1001"))
    assert response.status_code == 400
    assert 'id="id_mrn-error"' in response.content.decode()


@pytest.mark.usefixtures("org_a")
def test_form_renders(coordinator_client):
    assert coordinator_client.get("/patients/new/").status_code == 200


def test_anonymous_is_sent_to_login(client):
    assert client.get("/patients/new/").status_code == 302
