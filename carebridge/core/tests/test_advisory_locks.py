import pytest
from django.db import connection, connections, transaction

from carebridge.core.db import LockSpace, advisory_locks

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
    locks, keys = advisory_locks(
        (LockSpace.PRACTITIONER_TIME, 7), (LockSpace.PATIENT_TIME, 2**31 + 9)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT {locks}", keys)
        assert _taken_elsewhere(LockSpace.PRACTITIONER_TIME, 7)
        assert _taken_elsewhere(LockSpace.PATIENT_TIME, 9)  # a key past int4 wraps
        assert not _taken_elsewhere(LockSpace.PATIENT_TIME, 7)
    assert not _taken_elsewhere(LockSpace.PRACTITIONER_TIME, 7)
    assert not _taken_elsewhere(LockSpace.PATIENT_TIME, 9)
