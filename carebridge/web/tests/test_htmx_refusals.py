"""An htmx request that cannot be answered with its fragment never gets a whole page to
swap into the panel: a signed-out browser goes to the login page, a refusal or a missing
record is a message the size of the panel."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from carebridge.accounts.services import user_create
from carebridge.web.tests.conftest import at, book, htmx
from conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("frozen_monday")


def login_next(response) -> str:
    """Where the login page the response sends the browser to returns afterwards."""
    login = urlsplit(response["HX-Redirect"])
    assert login.path == "/login/"
    return parse_qs(login.query)["next"][0]


def test_a_signed_out_panel_request_sends_the_browser_to_login_and_back_to_its_page(
    client, clinic_a, patient_a
):
    # given a board drawn before its session ended
    appointment = book(clinic_a, patient_a, at(10))
    board = "http://testserver/?date=2026-03-03"

    # when
    response = client.get(
        f"/appointments/{appointment.public_id}/", **htmx(HTTP_HX_CURRENT_URL=board)
    )

    # then
    assert response.status_code == 401 and response.content == b""
    assert login_next(response) == "/?date=2026-03-03"


def test_without_the_current_page_login_returns_to_the_requested_address(client, db):
    response = client.post("/appointments/new/?date=2026-03-03", **htmx())

    assert response.status_code == 401
    assert login_next(response) == "/appointments/new/?date=2026-03-03"


def test_a_signed_out_page_request_is_still_redirected(client, db):
    response = client.get("/?date=2026-03-03")

    assert response.status_code == 302 and "HX-Redirect" not in response
    assert response.url == "/login/?next=/%3Fdate%3D2026-03-03"


def test_a_missing_record_in_the_panel_is_a_message_not_a_page(coordinator_client):
    response = coordinator_client.get(f"/appointments/{uuid.uuid4()}/", **htmx())

    html = response.content.decode()
    assert response.status_code == 404
    assert '<div class="banner banner-error" role="alert"><strong>Not found.</strong>' in html
    assert "belongs to another clinic" in html
    assert "<html" not in html and 'class="mainnav"' not in html


def test_a_refused_action_in_the_panel_is_a_message_not_a_page(client, org_a):
    client.force_login(
        user_create(organization=org_a, username="bill-a", password=PASSWORD, role="billing")
    )

    response = client.post("/appointments/new/", **htmx())

    html = response.content.decode()
    assert response.status_code == 403
    assert '<div class="banner banner-error" role="alert"><strong>Not allowed.</strong>' in html
    assert "A clinic admin can change roles" in html
    assert "<html" not in html and 'class="mainnav"' not in html
