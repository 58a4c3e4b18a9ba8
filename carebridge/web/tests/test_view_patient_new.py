import datetime

import pytest

from carebridge.patients.models import Patient
from carebridge.web.tests.conftest import BOSTON


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
    assert 'id="id_birth_date_error"' in html and "cannot be in the future" in html
    assert 'value="Zoë"' in html


def test_every_bad_field_is_shown_at_once(coordinator_client, org_a):
    response = coordinator_client.post(
        "/patients/new/",
        new_patient(birth_date="2999-01-01", phone_mobile="12345", timezone="Mars/Base"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    for field in ("birth_date", "phone_mobile", "timezone"):
        assert f'id="id_{field}_error"' in html
    assert not Patient.objects.filter(organization=org_a).exists()


def test_taken_mrn_is_shown_next_to_the_field(coordinator_client, patient_a):
    response = coordinator_client.post("/patients/new/", new_patient(mrn="A-1001"))
    assert response.status_code == 400
    assert 'id="id_mrn_error"' in response.content.decode()


@pytest.mark.usefixtures("org_a")
def test_form_renders(coordinator_client):
    assert coordinator_client.get("/patients/new/").status_code == 200


def test_anonymous_is_sent_to_login(client):
    assert client.get("/patients/new/").status_code == 302


def test_a_birth_date_of_tomorrow_in_the_clinics_zone_is_refused(
    coordinator_client, coordinator_a, org_a, time_machine
):
    # given 7:08 PM on 30 November in Boston, already 1 December in UTC
    time_machine.move_to(datetime.datetime(2026, 11, 30, 19, 8, tzinfo=BOSTON), tick=False)
    coordinator_client.force_login(coordinator_a)

    response = coordinator_client.post("/patients/new/", new_patient(birth_date="2026-12-01"))

    assert response.status_code == 400
    assert response.context["form"].errors["birth_date"] == ["cannot be in the future"]
    assert not Patient.objects.filter(organization=org_a).exists()


def test_the_services_checks_run_with_the_forms_on_the_first_save(coordinator_client, org_a):
    response = coordinator_client.post(
        "/patients/new/",
        new_patient(given_name="", email="nope", phone_mobile="12345", birth_date="2030-01-01"),
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"given_name", "email", "phone_mobile", "birth_date"}
    assert errors["given_name"] == ["This field is required."]  # the form's alone
    assert errors["birth_date"] == ["cannot be in the future"]
    assert not Patient.objects.filter(organization=org_a).exists()


@pytest.mark.parametrize("country", ["XX", "ZZ", "G1"])
def test_a_country_that_is_not_an_iso_code_is_refused_naming_the_field(
    coordinator_client, org_a, country
):
    response = coordinator_client.post("/patients/new/", new_patient(country=country))

    assert response.status_code == 400
    assert response.context["form"].errors["country"] == [
        f"{country!r} is not an ISO 3166 two-letter country code"
    ]
    assert not Patient.objects.filter(organization=org_a).exists()


def test_errors_are_described_by_the_ids_the_inputs_point_at(coordinator_client, org_a):
    response = coordinator_client.post("/patients/new/", new_patient(given_name=""))
    html = response.content.decode()

    assert 'aria-describedby="id_given_name_error"' in html
    assert '<p class="field-error" id="id_given_name_error">' in html
    assert 'aria-describedby="id_mrn_helptext"' in html
    assert '<small class="help" id="id_mrn_helptext">Leave empty to assign one</small>' in html


def test_a_possible_duplicate_is_shown_before_registering_again(coordinator_client, patient_a):
    again = new_patient(given_name="jose", family_name="ALVAREZ", birth_date="1980-05-17")

    response = coordinator_client.post("/patients/new/", again)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["duplicates"] == [patient_a]
    assert f'href="/patients/{patient_a.public_id}/"' in html and "A-1001" in html
    assert 'value="jose"' in html  # what was typed is kept
    assert Patient.objects.filter(organization=patient_a.organization).count() == 1


def test_the_desk_can_register_a_namesake_anyway(coordinator_client, patient_a):
    again = new_patient(given_name="José", family_name="Álvarez", birth_date="1980-05-17")

    response = coordinator_client.post("/patients/new/", again | {"register_anyway": "1"})

    assert response.status_code == 302
    assert Patient.objects.filter(organization=patient_a.organization).count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"given_name": "José", "family_name": "Álvarez", "birth_date": "1980-05-18"},
        {"given_name": "Josefa", "family_name": "Álvarez", "birth_date": "1980-05-17"},
    ],
)
def test_another_birth_date_or_name_is_no_duplicate(coordinator_client, patient_a, changes):
    response = coordinator_client.post("/patients/new/", new_patient(**changes))

    assert response.status_code == 302
