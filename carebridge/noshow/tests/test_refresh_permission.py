"""Rescoring the visits ahead texts patients, so only the roles that book visits may."""

import pytest

from carebridge.accounts.services import user_create

pytestmark = pytest.mark.django_db
BUTTON = "Rescore visits ahead"


def log_in(client, organization, role: str) -> None:
    user = user_create(
        organization=organization, username=f"{role}-a", password="x" * 20, role=role
    )
    client.force_login(user)


@pytest.mark.parametrize("role", ["billing", "nurse", "physician"])
def test_other_roles_may_not_rescore_nor_see_the_button(client, org_a, role, monkeypatch):
    refreshed = []
    monkeypatch.setattr(
        "carebridge.noshow.views.noshow_outreach_refresh",
        lambda **kwargs: refreshed.append(kwargs) or (0, 0),
    )
    log_in(client, org_a, role)

    assert client.post("/noshow/refresh/").status_code == 403
    assert BUTTON not in client.get("/noshow/").content.decode()
    assert refreshed == []


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_the_booking_roles_rescore(client, org_a, role):
    log_in(client, org_a, role)

    assert BUTTON in client.get("/noshow/").content.decode()
    response = client.post("/noshow/refresh/")

    assert response.status_code == 302
    assert "Rescored 0 upcoming visits" in client.get("/noshow/").content.decode()
