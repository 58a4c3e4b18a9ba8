import pytest
from django.test import Client

from conftest import PASSWORD


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def coordinator_client(client: Client, coordinator_a) -> Client:
    """A browser signed in as clinic A's coordinator through the login form."""
    response = sign_in(client, coordinator_a.username)
    assert response.status_code == 302, "the login form accepted the coordinator"
    return client
