import pytest

from carebridge.accounts.services import token_issue, token_revoke, user_create, user_deactivate
from carebridge.tests.api_client import ApiClient


def _refused(response) -> bool:
    return (
        response.status_code == 401
        and response.json()["code"] == "unauthenticated"
        and response["WWW-Authenticate"].startswith("Bearer")
    )


def test_a_valid_token_is_let_in(token_a, clinic_a):
    assert ApiClient(token_a).get("/locations").status_code == 200


def test_no_token_is_refused(clinic_a):
    assert _refused(ApiClient().get("/locations"))


@pytest.mark.parametrize(
    "header",
    ["Bearer cbt_not-a-real-token", "Basic Y29vcmQtYTpwYXNzd29yZA==", "Bearer", "cbt_abc"],
)
def test_a_wrong_or_malformed_token_is_refused(client, header, token_a):
    response = client.get("/api/locations", headers={"Authorization": header})

    assert _refused(response)


def test_a_revoked_token_is_refused_on_the_very_next_request(token_a, org_a):
    api = ApiClient(token_a)
    assert api.get("/locations").status_code == 200

    token_revoke(organization=org_a, prefix=token_a[:12])

    assert _refused(api.get("/locations"))


def test_a_deactivated_users_token_is_refused_on_the_very_next_request(coordinator_a):
    api = ApiClient(token_issue(user=coordinator_a)[1])
    assert api.get("/locations").status_code == 200

    user_deactivate(user=coordinator_a)

    assert _refused(api.get("/locations"))


def test_writes_need_a_token_too(patient_a):
    response = ApiClient().patch(f"/patients/{patient_a.public_id}", {"version": 1, "city": "X"})

    assert _refused(response)


def _token_for(organization, role: str) -> str:
    user = user_create(
        organization=organization, username=f"{role}-a", password="a-long-passphrase-9", role=role
    )
    return token_issue(user=user)[1]


def test_a_role_without_the_permission_is_forbidden(org_a, patient_a):
    billing = ApiClient(_token_for(org_a, "billing"))

    assert billing.get(f"/patients/{patient_a.public_id}").status_code == 200
    response = billing.patch(f"/patients/{patient_a.public_id}", {"version": 1, "city": "X"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_a_physician_may_change_visits_but_not_book_them(clinic_a, patient_a):
    physician = ApiClient(_token_for(clinic_a.organization, "physician"))

    response = physician.post(
        "/appointments",
        {
            "patient": str(patient_a.public_id),
            "practitioner": str(clinic_a.practitioner.public_id),
            "location": str(clinic_a.location.public_id),
            "visit_type": str(clinic_a.visit_type.public_id),
            "start": "2099-06-10T13:00:00Z",
        },
    )

    assert response.status_code == 403
    assert physician.get("/appointments").status_code == 200
