"""Every page but the open ways in sends an anonymous visitor to the login page."""

import re

import pytest
from django.urls import URLResolver, get_resolver

from carebridge.accounts.middleware import OPEN_PREFIXES

# Fixed values: pytest-xdist needs every worker to collect the same parameters.
SAMPLE_VALUES = {"uuid": "6f1c2a9e-8d3b-4c57-9e21-3a4b5c6d7e8f", "int": "1"}


def _sample_path(route: str) -> str:
    """A concrete path for a route: each <converter:name> gets a value of its kind."""
    return "/" + re.sub(
        r"<(?:(\w+):)?\w+>", lambda match: SAMPLE_VALUES.get(match.group(1), "x"), route
    )


def staff_pages(patterns=None, prefix: str = "") -> list[str]:
    pages = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if ("/" + route).startswith(OPEN_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            pages += staff_pages(entry.url_patterns, route)
        else:
            pages.append(_sample_path(route))
    return pages


def test_the_board_is_among_the_pages():
    assert "/" in staff_pages()


@pytest.mark.parametrize("path", [*staff_pages(), "/no-such-page/"])
def test_anonymous_visitor_is_sent_to_login(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_health_check_needs_no_login(client, db):
    assert client.get("/healthz").status_code == 200


def test_login_page_needs_no_login(client, db):
    assert client.get("/login/").status_code == 200
