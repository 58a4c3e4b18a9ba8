import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from carebridge.core.db import LockSpace, lock_until_commit

pytestmark = pytest.mark.django_db(transaction=True)


def _taken_elsewhere(space: LockSpace, key: int) -> bool:
    """Whether another session holds the lock: it cannot take it without waiting."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [int(space), key])
            (took,) = cursor.fetchone()
            if took:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [int(space), key])
        return not took
    finally:
        other.close()


def test_the_locks_last_until_the_transaction_ends():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite's writers queue at BEGIN")
    with transaction.atomic():
        lock_until_commit((LockSpace.PRACTITIONER_TIME, 7), (LockSpace.PATIENT_TIME, 2**31 + 9))
        assert _taken_elsewhere(LockSpace.PRACTITIONER_TIME, 7)
        assert _taken_elsewhere(LockSpace.PATIENT_TIME, 9)  # a key past int4 wraps
        assert not _taken_elsewhere(LockSpace.PATIENT_TIME, 7)
    assert not _taken_elsewhere(LockSpace.PRACTITIONER_TIME, 7)
    assert not _taken_elsewhere(LockSpace.PATIENT_TIME, 9)


def test_sqlite_runs_no_statement_for_them():
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite does without advisory locks")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        lock_until_commit((LockSpace.PRACTITIONER_TIME, 7))
    assert [q for q in queries if "advisory" in q["sql"]] == []
