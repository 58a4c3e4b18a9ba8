import psycopg
import pytest
from django.db import connection

from carebridge.core.backends.postgresql.base import RECHECK_AFTER_SECONDS

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend only"),
    pytest.mark.django_db(transaction=True),
]


def _query(sql: str = "SELECT pg_backend_pid()"):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _next_request():
    """What Django does for kept connections when a request starts."""
    connection.close_if_unusable_or_obsolete()


def _rest():
    connection.used_at -= 2 * RECHECK_AFTER_SECONDS


@pytest.fixture(autouse=True)
def _within_its_maximum_age(monkeypatch):
    """A connection open DB_CONN_MAX_AGE seconds is closed when a request starts, and a new
    one is never checked; a test process's connection may be that old already."""
    _query()
    monkeypatch.setattr(connection, "close_at", None)


@pytest.fixture
def health_checks(monkeypatch):
    """The health checks made from now on."""
    checks = []
    checked = connection.is_usable

    def counting():
        checks.append(True)
        return checked()

    monkeypatch.setattr(connection, "is_usable", counting)
    return checks


def test_a_connection_in_use_is_not_checked(health_checks):
    first = _query()
    _next_request()
    _query()
    _next_request()

    assert _query() == first  # the same connection throughout
    assert health_checks == []


def test_a_rested_connection_is_checked_once_per_request(health_checks):
    _query()
    _next_request()
    _rest()
    _query()
    _query()

    assert health_checks == [True]


def test_a_rested_connection_the_server_dropped_is_replaced(health_checks):
    first = _query()
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [first])
    _next_request()
    _rest()

    assert _query() != first
    assert health_checks == [True]
