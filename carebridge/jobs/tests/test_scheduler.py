"""The scheduler runs every job at start and then at its interval, and survives failures."""

import pytest

from carebridge.jobs.scheduler import Job, Scheduler

# The loop drops broken database connections around each job, so it touches the database.
pytestmark = pytest.mark.django_db


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_runs_every_job_at_start_then_each_at_its_own_interval():
    clock, runs = FakeClock(), []
    scheduler = Scheduler(
        [
            Job("often", 10, lambda: runs.append("often")),
            Job("rarely", 25, lambda: runs.append("rarely")),
        ],
        monotonic=clock,
    )

    assert scheduler.run_due() == 10
    assert runs == ["often", "rarely"]
    clock.now += 10
    assert scheduler.run_due() == 10
    clock.now += 10
    assert scheduler.run_due() == 5
    clock.now += 5
    scheduler.run_due()

    assert runs == ["often", "rarely", "often", "often", "rarely"]


def test_nothing_runs_before_its_turn():
    clock, runs = FakeClock(), []
    scheduler = Scheduler([Job("once", 60, lambda: runs.append(1))], monotonic=clock)
    scheduler.run_due()
    clock.now += 59

    assert scheduler.run_due() == 1
    assert runs == [1]


def test_a_failing_job_does_not_stop_the_others_or_the_loop(caplog):
    clock, runs = FakeClock(), []

    def broken():
        raise ConnectionError("database is away")

    scheduler = Scheduler(
        [Job("broken", 5, broken), Job("fine", 5, lambda: runs.append(1))], monotonic=clock
    )
    scheduler.run_due()
    clock.now += 5
    scheduler.run_due()

    assert runs == [1, 1]
    assert caplog.text.count("Scheduled job broken failed") == 2
