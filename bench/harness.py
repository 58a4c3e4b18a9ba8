"""What every benchmark shares: its result rows, percentiles, and the child-process side.

Each benchmark runs in its own process (Django settings are fixed per process), against the
database that `bench.run` created for it and passed in through the environment.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

RESULT_PREFIX = "BENCH-RESULT "


@dataclass
class Row:
    """One line of the results table."""

    benchmark: str
    database: str
    figures: dict[str, str] = field(default_factory=dict)
    target: str = ""
    passed: bool | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "-"}[self.passed]


def percentile(samples: list[float], share: int) -> float:
    """The `share`th percentile (1-99) of the samples, interpolated."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[share - 1]


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def database_label() -> str:
    return "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"


def start_django() -> None:
    """Set up Django on the benchmark's own database and bring its schema up to date."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def emit(rows: list[Row]) -> None:
    """Hand the rows to `bench.run` on the last line of standard output."""
    sys.stdout.write(RESULT_PREFIX + json.dumps([asdict(row) for row in rows]) + "\n")


def parse(output: str) -> list[Row]:
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return [Row(**row) for row in json.loads(line[len(RESULT_PREFIX) :])]
    return []
