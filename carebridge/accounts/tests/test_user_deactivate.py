"""Deactivating a user ends their live session and their tokens on the very next request."""

import pytest

from carebridge.accounts.services import token_authenticate, token_issue, user_deactivate
from carebridge.accounts.tests.conftest import sign_in
from carebridge.core.errors import NotFound


def test_live_session_ends_on_the_next_request(coordinator_client, coordinator_a):
    assert coordinator_client.get("/").status_code == 200

    user_deactivate(user=coordinator_a)
    response = coordinator_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_deactivated_user_cannot_sign_in_again(client, coordinator_a):
    user_deactivate(user=coordinator_a)

    response = sign_in(client, "coord-a")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_tokens_stop_working(coordinator_a):
    _, raw = token_issue(user=coordinator_a)

    user_deactivate(user=coordinator_a)

    with pytest.raises(NotFound):
        token_authenticate(raw)


def test_colleagues_stay_signed_in(coordinator_client, clinician_a):
    user_deactivate(user=clinician_a)

    assert coordinator_client.get("/").status_code == 200
