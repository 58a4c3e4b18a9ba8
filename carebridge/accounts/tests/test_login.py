"""Signing in: argon2 password hashes, and the login form's CSRF protection."""

from django.test import Client

from carebridge.accounts.selectors import user_by_username
from carebridge.accounts.tests.conftest import sign_in
from conftest import PASSWORD


def test_password_is_stored_as_argon2(coordinator_a):
    stored = user_by_username(organization=coordinator_a.organization, username="coord-a")

    assert stored.password.startswith("argon2$argon2id$")
    assert PASSWORD not in stored.password


def test_right_password_signs_in_and_goes_to_the_board(client, coordinator_a):
    response = sign_in(client, "coord-a")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_stays_on_the_form(client, coordinator_a):
    response = sign_in(client, "coord-a", "not-the-password")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_login_form_refuses_a_post_without_csrf_token(coordinator_a):
    browser = Client(enforce_csrf_checks=True)

    response = sign_in(browser, "coord-a")

    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_login_form_accepts_the_token_it_handed_out(coordinator_a):
    browser = Client(enforce_csrf_checks=True)
    form = browser.get("/login/")

    response = browser.post(
        "/login/",
        {
            "username": "coord-a",
            "password": PASSWORD,
            "csrfmiddlewaretoken": form.context["csrf_token"],
        },
    )

    assert response.status_code == 302
