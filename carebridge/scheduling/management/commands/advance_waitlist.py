from carebridge.accounts.selectors import organization_by_slug
from carebridge.core.management.base import DomainCommand
from carebridge.scheduling.services.backfill import backfill_advance


class Command(DomainCommand):
    help = (
        "Run the waitlist job once: end offers whose hold ran out and offer their slots to "
        "the next patients, expire slots about to start and entries past their latest date. "
        "The scheduler does this every minute; this is for operators and demos."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only this clinic (its slug); default: every clinic")

    def run(self, *, org, **options):
        organization = organization_by_slug(slug=org) if org else None
        report = backfill_advance(organization=organization)
        self.stdout.write(
            f"offers expired={report.offers_expired} offers made={report.offers_made} "
            f"slots expired={report.slots_expired} entries expired={report.entries_expired}"
        )
