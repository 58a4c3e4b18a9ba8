"""/messages/<id>/: one message with its delivery attempts; another organization's is 404."""

import uuid

import pytest

from carebridge.notifications.errors import TransientDeliveryError
from carebridge.notifications.services.delivery import outbox_drain
from carebridge.notifications.tests.conftest import WORKER, enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def test_shows_the_message_and_each_attempt(coordinator_client, org_a, gateway):
    message = enqueue(org_a, body_text="Your visit is on Tuesday.")
    gateway.failures[message.idempotency_key] = TransientDeliveryError("gateway busy")
    outbox_drain(worker=WORKER)

    response = coordinator_client.get(f"/messages/{message.public_id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your visit is on Tuesday." in html
    assert "Transient failure" in html and "gateway busy" in html
    assert "<dt>Language</dt><dd>English</dd>" in html


def test_another_organizations_message_is_not_found(coordinator_client, org_b):
    theirs = enqueue(org_b)

    assert coordinator_client.get(f"/messages/{theirs.public_id}/").status_code == 404


def test_an_unknown_message_is_not_found(coordinator_client):
    assert coordinator_client.get(f"/messages/{uuid.uuid4()}/").status_code == 404
