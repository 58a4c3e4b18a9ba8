"""The scheduler loop: runs each periodic job every so many seconds, in one thread.

Jobs are short: they look for due work and enqueue tasks or run a quick service. A job
that fails (the database is away, a bug) is logged and runs again at its next turn; the
loop itself never stops on a job's error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import close_old_connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[], object]


class Scheduler:
    """Every job runs at start, then every `every_seconds` after its previous start."""

    def __init__(
        self, jobs: Iterable[Job], *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.jobs = list(jobs)
        self.monotonic = monotonic
        self.next_run = {job.name: monotonic() for job in self.jobs}

    def run_due(self) -> float:
        """Run the jobs whose turn has come; return the seconds until the next turn."""
        for job in self.jobs:
            now = self.monotonic()
            if self.next_run[job.name] <= now:
                self.next_run[job.name] = now + job.every_seconds
                run_job(job)
        if not self.jobs:
            return 60.0
        return max(0.0, min(self.next_run.values()) - self.monotonic())

    def run_forever(self, stop: threading.Event) -> None:
        logger.info("Scheduler started: %s", ", ".join(job.name for job in self.jobs))
        while not stop.is_set():
            stop.wait(self.run_due())


def run_job(job: Job) -> None:
    # Connections that broke while the database was away are dropped before and after,
    # so the next run reconnects instead of failing on a dead socket.
    close_old_connections()
    try:
        job.run()
    except Exception:
        logger.exception(
            "Scheduled job %s failed; it runs again in %s s", job.name, job.every_seconds
        )
    finally:
        close_old_connections()
