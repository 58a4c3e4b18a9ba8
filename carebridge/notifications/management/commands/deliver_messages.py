import time

from carebridge.core import clock
from carebridge.core.management.base import DomainCommand
from carebridge.core.processes import yield_to_requests
from carebridge.notifications.constants import BATCH_SIZE, LEASE_SECONDS, SQLITE_BATCH_SIZE
from carebridge.notifications.selectors import outbox_has_due, outbox_last_lease_end
from carebridge.notifications.services.delivery import DeliveryReport, outbox_drain, worker_name

# How long to wait for the leases of a stopped worker, at most, between looks.
LEASE_POLL_SECONDS = 0.5


class Command(DomainCommand):
    help = (
        "Deliver the messages that are due now, including those a stopped worker left "
        "leased (after their leases run out), then exit. The task worker does this on its "
        "own; this is for operators and for crash tests."
    )
    # Starting fast matters more here than checks of URLs and models a worker never uses.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=None,
            help=f"messages claimed at a time (default: {BATCH_SIZE} on PostgreSQL,"
            f" {SQLITE_BATCH_SIZE} on SQLite)",
        )
        parser.add_argument("--lease-seconds", type=float, default=LEASE_SECONDS)

    def run(self, *, batch_size: int | None, lease_seconds: float, **options):
        yield_to_requests()
        total = DeliveryReport()
        worker = worker_name()
        while True:
            total.add(
                outbox_drain(worker=worker, batch_size=batch_size, lease_seconds=lease_seconds)
            )
            lease_end = outbox_last_lease_end()
            if lease_end is None and not outbox_has_due():
                break
            if lease_end is not None:
                wait = (lease_end - clock.now()).total_seconds()
                time.sleep(min(max(wait, 0.0), LEASE_POLL_SECONDS))
        self.stdout.write(" ".join(f"{name}={value}" for name, value in total.as_dict().items()))
