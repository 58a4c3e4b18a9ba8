"""Refusals and missing pages speak the product's language and lead back; a server error
page needs nothing from the request."""

import uuid

import pytest
from django.template import loader

from carebridge.accounts.services import user_create
from conftest import PASSWORD


@pytest.fixture
def billing_client(client, org_a):
    client.force_login(
        user_create(organization=org_a, username="bill-a", password=PASSWORD, role="billing")
    )
    return client


def test_a_missing_record_is_a_page_with_the_navigation(coordinator_client):
    response = coordinator_client.get(f"/patients/{uuid.uuid4()}/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in html and "belongs to another clinic" in html
    assert 'class="mainnav"' in html and "Back to the schedule" in html


def test_a_refusal_says_the_role_may_not(billing_client):
    response = billing_client.get("/patients/new/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in html and "A clinic admin can change roles" in html
    assert 'class="mainnav"' in html


def test_a_visitor_who_is_not_signed_in_gets_no_staff_navigation(client, db):
    response = client.get(f"/p/v/{uuid.uuid4()}/nothing/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in html
    assert 'class="mainnav"' not in html and "Back to the schedule" not in html


def test_the_server_error_page_renders_without_a_request():
    html = loader.get_template("500.html").render()

    assert "<h1>Something went wrong</h1>" in html and 'href="/static/web/app.css"' in html
