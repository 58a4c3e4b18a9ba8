"""Headers that keep the pages out of frames and stop browsers guessing content types."""

import pytest

from conftest import PASSWORD


def assert_secure_headers(response) -> None:
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/login/", "/healthz"])
def test_open_pages_carry_the_secure_headers(client, db, path):
    assert_secure_headers(client.get(path))


def test_the_board_carries_the_secure_headers(client, coordinator_a):
    client.post("/login/", {"username": "coord-a", "password": PASSWORD})

    response = client.get("/")

    assert response.status_code == 200
    assert_secure_headers(response)


def test_session_cookie_is_http_only_and_same_site(client, coordinator_a):
    client.post("/login/", {"username": "coord-a", "password": PASSWORD})

    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
