import pytest

from carebridge.accounts.services import user_create
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
