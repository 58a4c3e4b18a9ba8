"""FHIR import of the Synthea sample (1,000 patients with their clinicians and sites).

Runs `carebridge import_fhir` into a fresh clinic and counts resources per second over the
NDJSON lines it was given.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from bench.harness import Row, database_label, emit, start_django, timed

DATA = Path(__file__).resolve().parent.parent.parent / "shared/data/synthea/1000-patients"
TARGET_PER_SECOND = 2000
NAME = "FHIR import (Synthea, 1,000 patients)"


def skipped_row() -> Row:
    return Row(NAME, "-", note=f"skipped: {DATA} is absent")


def main() -> None:
    start_django()
    from django.core.management import CommandError, call_command

    from carebridge.accounts.services import organization_create

    organization_create(slug="bench", name="Bench Clinic", timezone="America/New_York")
    files = sorted(DATA.glob("*.ndjson"))
    resources = sum(1 for path in files for line in path.open() if line.strip())
    output, problems = io.StringIO(), io.StringIO()

    def run_import():
        # Lines it cannot import make the command exit with an error after importing the rest.
        with contextlib.suppress(CommandError):
            call_command("import_fhir", *files, org="bench", stdout=output, stderr=problems)

    seconds = timed(run_import)
    per_second = resources / seconds
    summary = output.getvalue().splitlines()[:1]
    refused = len(problems.getvalue().splitlines())
    emit(
        [
            Row(
                NAME,
                database_label(),
                {
                    "resources/s": f"{per_second:.0f}",
                    "resources": str(resources),
                    "time": f"{seconds:.1f} s",
                },
                target=f">= {TARGET_PER_SECOND} resources/s",
                passed=per_second >= TARGET_PER_SECOND,
                note="; ".join([*summary, f"{refused} lines refused"]),
            )
        ]
    )


if __name__ == "__main__":
    main()
