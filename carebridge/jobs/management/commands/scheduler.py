import signal
import threading

from django.core.management.base import BaseCommand

from carebridge.jobs.periodic import JOBS
from carebridge.jobs.scheduler import Scheduler


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (enqueue delivery of messages that came due, sweeps) until "
        "stopped. `carebridge worker` runs it too; use this beside workers started with "
        "--no-scheduler."
    )

    def handle(self, *args, **options):
        stop = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stop.set())
        Scheduler(JOBS).run_forever(stop)
