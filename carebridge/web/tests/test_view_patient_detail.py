import pytest

from carebridge.patients.services import identifier_add, patient_update
from carebridge.web.forms import PATIENT_FIELDS
from carebridge.web.tests.conftest import at, book

pytestmark = pytest.mark.usefixtures("frozen_monday")


def form_data(patient, **changes):
    data = {name: getattr(patient, name) for name in PATIENT_FIELDS}
    data = {name: value for name, value in data.items() if value not in (False, None)}
    return {**data, "expected_version": patient.version, **changes}


def test_page_shows_demographics_identifiers_and_visits(coordinator_client, clinic_a, patient_a):
    identifier_add(patient=patient_a, system="urn:synthea", value="syn-42")
    book(clinic_a, patient_a, at(10))
    response = coordinator_client.get(f"/patients/{patient_a.public_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "José Álvarez" in html and "syn-42" in html
    assert "Tue Mar 3, 2026 10:00 AM EST" in html
    assert f"/find/?patient={patient_a.public_id}" in html


def test_edit_saves_through_the_service(coordinator_client, patient_a):
    response = coordinator_client.post(
        f"/patients/{patient_a.public_id}/", form_data(patient_a, city="Cambridge")
    )
    patient_a.refresh_from_db()
    assert response.status_code == 302
    assert patient_a.city == "Cambridge" and patient_a.version == 2


def test_bad_phone_is_shown_next_to_the_field_and_the_rest_is_kept(coordinator_client, patient_a):
    data = form_data(patient_a, phone_mobile="12", city="Somerville")
    response = coordinator_client.post(f"/patients/{patient_a.public_id}/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_phone_mobile_error"' in html and 'value="Somerville"' in html


def test_stale_edit_is_refused(coordinator_client, patient_a):
    data = form_data(patient_a, city="Cambridge")
    patient_update(patient=patient_a, actor=None, fields={"city": "Quincy"})
    response = coordinator_client.post(f"/patients/{patient_a.public_id}/", data)
    patient_a.refresh_from_db()
    assert response.status_code == 412
    assert "changed by someone else" in response.content.decode()
    assert patient_a.city == "Quincy"


def test_anonymous_is_sent_to_login(client, patient_a):
    assert client.get(f"/patients/{patient_a.public_id}/").status_code == 302


def test_other_organizations_patient_is_not_found(coordinator_client, patient_b):
    assert coordinator_client.get(f"/patients/{patient_b.public_id}/").status_code == 404


def test_page_lists_the_patients_messages_and_a_new_number_takes_them_along(
    coordinator_client, clinic_a, patient_a
):
    patient_update(patient=patient_a, actor=None, fields={"consent_sms": True})
    book(clinic_a, patient_a, at(10))
    page = f"/patients/{patient_a.public_id}/"

    html = coordinator_client.get(page).content.decode()
    assert "Booking confirmation" in html and "Reminder" in html
    assert "+16175550101" in html
    assert f'href="/messages/?patient={patient_a.public_id}"' in html

    patient_a.refresh_from_db()
    data = form_data(patient_a, phone_mobile="+1 617 555 0142")
    assert coordinator_client.post(page, data).status_code == 302

    html = coordinator_client.get(page).content.decode()
    assert "+16175550142" in html
    assert "queued again: the patient&#x27;s contact details changed" in html


def test_page_says_when_there_are_no_messages(coordinator_client, patient_a):
    html = coordinator_client.get(f"/patients/{patient_a.public_id}/").content.decode()

    assert "No messages yet." in html
    assert "/messages/?patient=" not in html


def test_the_language_field_suggests_languages_by_name(coordinator_client, clinic_a, patient_a):
    html = coordinator_client.get(f"/patients/{patient_a.public_id}/").content.decode()

    assert 'list="language-suggestions"' in html
    assert '<datalist id="language-suggestions">' in html
    assert '<option value="es">Spanish</option>' in html  # messages are written in it
    assert '<option value="en">English</option>' in html


def test_the_edit_form_does_not_offer_to_assign_an_mrn(coordinator_client, patient_a):
    html = coordinator_client.get(f"/patients/{patient_a.public_id}/").content.decode()
    assert "Leave empty to assign one" not in html
    data = form_data(patient_a, mrn="")
    response = coordinator_client.post(f"/patients/{patient_a.public_id}/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["mrn"] == ["This field is required."]


def test_every_problem_shows_on_the_first_save(coordinator_client, patient_a):
    data = form_data(
        patient_a, given_name="", email="nope", phone_mobile="12345", birth_date="2030-01-01"
    )
    response = coordinator_client.post(f"/patients/{patient_a.public_id}/", data)
    patient_a.refresh_from_db()
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert set(errors) == {"given_name", "email", "phone_mobile", "birth_date"}
    assert errors["given_name"] == ["This field is required."]  # the form's alone
    assert errors["birth_date"] == ["cannot be in the future"]
    assert patient_a.given_name == "José" and patient_a.version == 1


def test_a_country_that_is_not_an_iso_code_is_refused(coordinator_client, patient_a):
    data = form_data(patient_a, country="XX")
    response = coordinator_client.post(f"/patients/{patient_a.public_id}/", data)
    patient_a.refresh_from_db()
    assert response.status_code == 400
    assert "country" in response.context["form"].errors
    assert patient_a.country == "US"
