"""Django's PostgreSQL backend, checking kept connections only after they rested.

Django checks a kept connection with a round trip (SELECT 1) before the first statement of
every request. Under load a connection is used again within milliseconds of its last
statement, and that round trip added one to the fifteen or so of a booking. A connection
used less than RECHECK_AFTER_SECONDS ago was working then and is not checked; one that
rested longer is checked as before. A server that goes away mid-load fails the requests in flight
either way; the connection of a failed request is closed when the request ends.
"""

import time

from django.db.backends.postgresql import base

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
