import pytest
from django.db import IntegrityError, connection, transaction

from carebridge.accounts.models import Organization
from carebridge.settings import PREPARE_AFTER_RUNS

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend only"),
    pytest.mark.django_db(transaction=True),
]


class Refused(Exception):
    pass


def _prepared_on_this_connection() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {statement for (statement,) in cursor.fetchall()}


def _prepare_a_lookup() -> str:
    before = _prepared_on_this_connection()
    for _ in range(PREPARE_AFTER_RUNS + 1):
        Organization.objects.filter(slug="nowhere").exists()
    (prepared,) = _prepared_on_this_connection() - before
    return prepared


def test_a_rolled_back_transaction_leaves_the_prepared_statements_and_writes_nothing():
    lookup = _prepare_a_lookup()

    with pytest.raises(Refused), transaction.atomic():
        Organization.objects.create(slug="kept-out", name="Kept out", timezone="UTC")
        raise Refused

    assert not Organization.objects.filter(slug="kept-out").exists()
    assert lookup in _prepared_on_this_connection()


def test_a_transaction_aborted_by_an_error_rolls_back_and_the_connection_goes_on():
    lookup = _prepare_a_lookup()
    Organization.objects.create(slug="taken", name="Taken", timezone="UTC")

    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(slug="second", name="Second", timezone="UTC")
        Organization.objects.create(slug="taken", name="Again", timezone="UTC")

    assert list(Organization.objects.values_list("slug", flat=True)) == ["taken"]
    assert lookup in _prepared_on_this_connection()
