"""Django's PostgreSQL backend, checking kept connections only after they rested and keeping
prepared statements across a rollback.

Django checks a kept connection with a round trip (SELECT 1) before the first statement of
every request. Under load a connection is used again within milliseconds of its last
statement, and that round trip added one to the fifteen or so of a booking. A connection
used less than RECHECK_AFTER_SECONDS ago was working then and is not checked; one that
rested longer is checked as before. A server that goes away mid-load fails the requests in flight
either way; the connection of a failed request is closed when the request ends.

psycopg forgets every statement it prepared on a connection when the connection rolls back
(and has the server deallocate them all), in case the transaction changed the definition of
a table they read. Every refused booking (409) rolls back, so under the booking benchmark no
connection kept its statements long enough for PostgreSQL to settle on a generic plan: two
statements in three were planned afresh, more server time than executing them. Prepared
statements outlive a rollback on the server, and requests and tasks never change a table's
definition (migrations run on their own), so a rollback keeps them here; a DROP or ALTER
run through a cursor still makes psycopg forget them.

Django reads every `timestamp with time zone` through a loader of its own, written in Python,
that parses the text and then sets the time zone: a few microseconds for each value, and a
booking request reads dozens (every row carries its creation and change times). When the
connection's zone is UTC, as it is unless a database's TIME_ZONE says otherwise, psycopg's
compiled loader gives the very same values, so the connection reads them with that one
(3.6 microseconds a value in Python, 0.2 compiled; a booking request: 4.5 % fewer
instructions).
"""

import datetime
import time

import psycopg
from django.db.backends.postgresql import base, psycopg_any
from psycopg import pq

RECHECK_AFTER_SECONDS = 1.0
_TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid
# psycopg's own, compiled when psycopg's binary package is installed: it reads a value in
# the session's time zone, which Django sets to the connection's.
_PSYCOPG_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(_TIMESTAMPTZ, pq.Format.TEXT)


class UtcTimestamptzLoader(psycopg_any.BaseTzLoader):
    """Django's loader for a UTC connection (Django compares its `timezone` with the
    connection's), reading with psycopg's."""

    timezone = datetime.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._read = _PSYCOPG_TIMESTAMPTZ_LOADER(oid, context).load

    def load(self, data):
        return self._read(data)


class DatabaseWrapper(base.DatabaseWrapper):
    # time.monotonic() of the last statement started on the current connection
    used_at = float("-inf")

    def close_if_health_check_failed(self):
        # Runs before every statement (a no-op once the request's check is done).
        now = time.monotonic()
        rested, self.used_at = now - self.used_at, now
        if rested < RECHECK_AFTER_SECONDS and self.connection is not None:
            self.health_check_done = True
        super().close_if_health_check_failed()

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if self.timezone is datetime.UTC:
            connection.adapters.register_loader(_TIMESTAMPTZ, UtcTimestamptzLoader)
        return connection

    def _rollback(self):
        # The libpq call under psycopg's rollback(), without the forgetting.
        if self.connection is None:
            return
        if self.connection.info.transaction_status == pq.TransactionStatus.IDLE:
            return
        with self.wrap_database_errors:
            result = self.connection.pgconn.exec_(b"ROLLBACK")
            if result.status != pq.ExecStatus.COMMAND_OK:
                message = (result.error_message or b"ROLLBACK failed").decode(errors="replace")
                raise psycopg.OperationalError(message.strip())
