"""Addresses of the portal's token pages, as messages carry them."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse, set_script_prefix

from carebridge.scheduling.links import absolute, token_url, visit_token

TOKEN_PAGES = [
    "portal:visit",
    "portal:visit_confirm",
    "portal:visit_cancel",
    "portal:visit_reschedule",
    "portal:visit_choose",
    "portal:email_opt_out",
    "portal:waitlist_offer",
    "portal:waitlist_offer_take",
    "portal:waitlist_offer_decline",
]
# Signed tokens carry the second they were made in, so each test process collecting this
# module makes different ones: the test ids are fixed names, not the tokens themselves.
TOKENS = [
    pytest.param(
        visit_token(
            appointment_public_id="0f0e6a4e-3c1b-4c55-9d3a-4b8f3e0c2d11",
            expires_at=datetime.datetime(2030, 6, 10, 13, 0, tzinfo=datetime.UTC),
        ),
        id="visit-token",
    ),
    pytest.param(signing.dumps({"p": "a1b2"}, salt="any"), id="other-token"),
]


@pytest.fixture
def script_prefix():
    """Served under /clinic/ (SCRIPT_NAME), as behind a proxy that mounts it there."""
    set_script_prefix("/clinic/")
    yield
    set_script_prefix("/")


@pytest.mark.parametrize("name", TOKEN_PAGES)
@pytest.mark.parametrize("token", TOKENS)
def test_each_page_has_the_address_reverse_gives(name, token, settings):
    settings.PUBLIC_BASE_URL = "https://clinic.example.org/"

    assert token_url(name, token) == absolute(reverse(name, args=[token]))
    assert token_url(name, token).startswith("https://clinic.example.org/p/")


def test_the_script_prefix_is_kept(script_prefix):
    token = TOKENS[0].values[0]

    assert token_url("portal:visit", token) == absolute(f"/clinic/p/v/{token}/")
