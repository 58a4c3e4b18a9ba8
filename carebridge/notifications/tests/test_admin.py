"""Admins edit clinic wording; messages and attempts are only shown, never changed."""

import pytest

from carebridge.accounts.services import user_create
from conftest import PASSWORD


@pytest.fixture
def admin_client(client, org_a):
    client.force_login(
        user_create(organization=org_a, username="admin-a", password=PASSWORD, role="admin")
    )
    return client


def test_message_templates_can_be_added(admin_client):
    response = admin_client.get("/admin/notifications/messagetemplate/add/")
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["outboundmessage", "deliveryattempt", "inboundmessage"])
def test_messages_cannot_be_added_by_hand(admin_client, model):
    assert admin_client.get(f"/admin/notifications/{model}/").status_code == 200
    assert admin_client.get(f"/admin/notifications/{model}/add/").status_code == 403
