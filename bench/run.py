"""`make bench`: run every benchmark on fresh databases, print PASS/FAIL against its target,
and record the figures in docs/benchmarks.md. Always exits 0: it measures, it does not test.

Each benchmark runs in its own process against its own database: a temporary
CAREBRIDGE_HOME for SQLite and a PostgreSQL database created for it and dropped afterwards.
`python -m bench.run slot_search booking_api` runs only those; the recorded rows of the
others are kept, marked as from the earlier run.
"""

from __future__ import annotations

import subprocess
import sys
import time

from bench import fhir_import, machine, report
from bench.databases import ENGINES, fresh_database, postgres_version
from bench.harness import Row, parse

BENCHMARKS = (
    "slot_search",
    "booking_api",
    "booking_floor",
    "booking_cost",
    "patient_search",
    "fhir_import",
    "reminder_delivery",
    "noshow_model",
)


def _run_one(name: str, engine: str) -> list[Row]:
    if name == "fhir_import" and not fhir_import.DATA.is_dir():
        return [fhir_import.skipped_row()]
    with fresh_database(engine, name) as env:
        completed = subprocess.run(
            [sys.executable, "-m", f"bench.{name}"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    rows = parse(completed.stdout)
    if completed.returncode or not rows:
        last_words = (completed.stderr or completed.stdout).strip().splitlines()[-1:]
        failure = f"failed with exit code {completed.returncode}: {' '.join(last_words)}"
        return [Row(name, engine, note=failure)]
    return rows


def main(names: list[str]) -> int:
    began = time.perf_counter()
    described = machine.describe()
    engines = ENGINES if postgres_version() else ENGINES[:1]
    rows: list[Row] = []
    for name in names or BENCHMARKS:
        for engine in engines:
            print(f"running {name} on {engine} ...", flush=True)
            found = _run_one(name, engine)
            rows += found
            if found and found[0].database == "-":
                break
    print(report.table(rows))
    path = report.write(rows, described, time.perf_counter() - began, partial=bool(names))
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
