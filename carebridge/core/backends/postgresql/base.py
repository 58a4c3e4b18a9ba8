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
"""

import time

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq

RECHECK_AFTER_SECONDS = 1.0


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
