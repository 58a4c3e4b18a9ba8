"""Operators (pytest-django's superuser `admin_client`) edit wording in the Django admin;
messages and attempts are only shown there, never changed."""

import pytest


def test_message_templates_can_be_added(admin_client):
    response = admin_client.get("/admin/notifications/messagetemplate/add/")
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["outboundmessage", "deliveryattempt", "inboundmessage"])
def test_messages_cannot_be_added_by_hand(admin_client, model):
    assert admin_client.get(f"/admin/notifications/{model}/").status_code == 200
    assert admin_client.get(f"/admin/notifications/{model}/add/").status_code == 403
