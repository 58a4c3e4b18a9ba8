from carebridge.accounts.services import organization_create
from carebridge.core.management.base import DomainCommand


class Command(DomainCommand):
    help = "Create a clinic (an organization, the tenant boundary)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="short unique name, e.g. north-clinic")
        parser.add_argument("--name", required=True, help="the clinic's name as people say it")
        parser.add_argument(
            "--timezone", default="UTC", help="IANA time zone, e.g. America/New_York"
        )

    def run(self, *, slug, name, timezone, **options):
        organization = organization_create(slug=slug, name=name, timezone=timezone)
        self.stdout.write(f"Created clinic {organization.slug} ({organization.name}).")
