import pytest

from carebridge.accounts.services import user_create
from carebridge.patients.services import identifier_add, patient_create, patient_merge
from conftest import PASSWORD


@pytest.mark.django_db
def test_a_clinic_admin_cannot_open_the_installation_wide_admin(client, org_a, patient_a):
    clinic_admin = user_create(
        organization=org_a, username="admin-a", password=PASSWORD, role="admin"
    )
    client.force_login(clinic_admin)
    for path in (
        "/admin/",
        "/admin/patients/patient/",
        f"/admin/patients/patient/{patient_a.pk}/change/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], path


@pytest.mark.django_db
def test_an_operator_can(admin_client, patient_a):
    assert admin_client.get("/admin/patients/patient/").status_code == 200


@pytest.mark.django_db
def test_an_operator_can_read_a_merge_and_what_it_moved(admin_client, org_a, patient_a):
    duplicate = patient_create(
        organization=org_a,
        actor=None,
        fields={"given_name": "Ana", "family_name": "Twin", "birth_date": "1980-01-02"},
    )
    identifier_add(patient=duplicate, system="urn:example:ehr", value="E-1")
    patient_merge(duplicate=duplicate, keep=patient_a, actor=None)
    merge = duplicate.merges.get()

    assert admin_client.get("/admin/patients/patientmerge/").status_code == 200
    page = admin_client.get(f"/admin/patients/patientmerge/{merge.pk}/change/")
    assert page.status_code == 200
    assert merge.moves.count() == 1 and "patient identifier" in page.content.decode()
