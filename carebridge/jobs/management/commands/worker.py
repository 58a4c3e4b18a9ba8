import logging
import threading
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

from carebridge.core.processes import yield_to_requests
from carebridge.jobs.periodic import JOBS
from carebridge.jobs.scheduler import Scheduler

logger = logging.getLogger(__name__)
RECONNECT_SECONDS = 2.0


class Command(db_worker.Command):
    help = (
        "Run the background task worker (reminders, outbox delivery, sweeps) and, beside "
        "it, the scheduler of periodic jobs, until stopped."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="run tasks only; periodic jobs then need a `carebridge scheduler` elsewhere",
        )

    def handle(self, *args, scheduler: bool, **options):
        yield_to_requests()
        if scheduler and not options["batch"]:
            # A daemon thread: it ends with the worker, which owns the signals.
            thread = threading.Thread(
                target=Scheduler(JOBS).run_forever,
                args=(threading.Event(),),
                name="scheduler",
                daemon=True,
            )
            thread.start()
        while True:
            try:
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as error:
                # The database went away (restart, failover, dropped connection). A task
                # cut short leaves its outbox rows leased; their leases run out and the
                # scheduler enqueues delivery again, so waiting and reconnecting is enough.
                logger.warning(
                    "Database unavailable (%s); retrying in %s s", error, RECONNECT_SECONDS
                )
                connections.close_all()
                time.sleep(RECONNECT_SECONDS)
