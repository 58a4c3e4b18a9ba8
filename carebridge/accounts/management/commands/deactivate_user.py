from carebridge.accounts.selectors import organization_by_slug, user_by_username
from carebridge.accounts.services import user_deactivate
from carebridge.core.management.base import DomainCommand


class Command(DomainCommand):
    help = "Deactivate a user: their sessions and API tokens stop working on the next request."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the clinic's slug")
        parser.add_argument("--username", required=True)

    def run(self, *, org, username, **options):
        user = user_by_username(organization=organization_by_slug(slug=org), username=username)
        user_deactivate(user=user)
        self.stdout.write(f"Deactivated {user.username} in {org}; their tokens are revoked.")
