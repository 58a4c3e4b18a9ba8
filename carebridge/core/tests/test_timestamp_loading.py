import datetime

import pytest
from django.db import connection, transaction

from carebridge.accounts.models import User

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend only"),
    pytest.mark.django_db,
]


def test_times_read_back_are_the_instants_written_in_utc_by_the_compiled_loader():
    written = datetime.datetime(2026, 3, 8, 6, 59, 59, 123456, tzinfo=datetime.UTC)
    new_york = written.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    User.objects.create(username="early", date_joined=new_york)

    (read,) = User.objects.values_list("date_joined", flat=True)

    assert read == written
    assert read.tzinfo is datetime.UTC
    assert (read.hour, read.microsecond) == (6, 123456)
    timestamptz = connection.connection.adapters.types["timestamptz"].oid
    loader = connection.connection.adapters.get_loader(timestamptz, 0)
    assert loader.__module__ == "carebridge.core.backends.postgresql.base"
    reading_with = type(loader(timestamptz, connection.connection)._read.__self__)
    assert reading_with.__module__.startswith("psycopg_binary")


def test_a_cursor_of_the_connection_keeps_the_connection_loader():
    with connection.cursor() as cursor:
        cursor.execute("SELECT TIMESTAMPTZ '2026-11-01 05:30:00+00', NULL::timestamptz")
        (moment, nothing) = cursor.fetchone()

    assert moment == datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC)
    assert moment.tzinfo is datetime.UTC
    assert nothing is None


def test_rows_read_in_chunks_by_a_named_cursor_load_their_times_alike():
    moments = [datetime.datetime(2026, 11, day, 12, tzinfo=datetime.UTC) for day in (1, 2)]
    for number, moment in enumerate(moments):
        User.objects.create(username=f"u{number}", date_joined=moment)

    with transaction.atomic():
        read = list(User.objects.order_by("pk").values_list("date_joined", flat=True).iterator(1))

    assert read == moments
    assert {moment.tzinfo for moment in read} == {datetime.UTC}
