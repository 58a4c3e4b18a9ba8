import time
from pathlib import Path

from django.core.management.base import CommandError

from carebridge.accounts.selectors import organization_by_slug
from carebridge.core.maintenance import database_analyze
from carebridge.core.management.base import DomainCommand
from carebridge.fhir_api.importing import IMPORT_ORDER, STORED_MODELS, FhirImport, ImportReport


class Command(DomainCommand):
    help = (
        "Import Organization, Location, Practitioner, PractitionerRole and Patient resources "
        "from FHIR NDJSON files (one resource per line) or Bundle JSON files into a clinic. "
        "Records already there are matched by identifier and updated or skipped; bad lines "
        "are listed with their file and line, and give exit code 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the clinic's slug")
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def run(self, *, org, files, **options):
        organization = organization_by_slug(slug=org)
        missing = [str(path) for path in files if not path.is_file()]
        if missing:
            raise CommandError(f"no such file: {', '.join(missing)}")
        started = time.perf_counter()
        report = FhirImport(organization=organization).run(files)
        elapsed = time.perf_counter() - started
        database_analyze(STORED_MODELS)
        self._summary(report, organization.slug, elapsed)
        if report.problems:
            number = len(report.problems)
            raise CommandError(
                f"{number} {'resource' if number == 1 else 'resources'} could not be imported"
            )

    def _summary(self, report: ImportReport, slug: str, elapsed: float) -> None:
        rate = report.resources / elapsed if elapsed else 0
        self.stdout.write(
            f"Imported into {slug}: {report.resources} resources in {elapsed:.1f} s "
            f"({rate:.0f} per second)"
        )
        for resource_type in IMPORT_ORDER:
            counts = report.counts.get(resource_type)
            if counts:
                self.stdout.write(
                    f"  {resource_type}: {counts.created} created, {counts.updated} updated, "
                    f"{counts.skipped} skipped, {counts.failed} failed"
                )
        # Not bad lines: bulk exports hold many types this import has no use for.
        for resource_type, sources in sorted(report.unsupported.items()):
            self.stdout.write(
                f"  {resource_type}: {len(sources)} not imported (unsupported type),"
                f" first at {sources[0]}"
            )
        if report.counts.get("Organization"):
            self.stdout.write("  (outside organizations resolve references and are not stored)")
        for source, reason in report.problems:
            self.stderr.write(f"{source}: {reason}")
