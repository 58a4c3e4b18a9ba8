from carebridge.accounts.selectors import organization_by_slug, user_by_username
from carebridge.accounts.services import token_issue
from carebridge.core.errors import InvalidInput
from carebridge.core.management.base import DomainCommand


class Command(DomainCommand):
    help = "Issue an API token for a user and print only the raw token (shown once, never stored)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the clinic's slug")
        parser.add_argument("--username", required=True)
        parser.add_argument("--label", default="", help="what the token is for")

    def run(self, *, org, username, label, **options):
        user = user_by_username(organization=organization_by_slug(slug=org), username=username)
        if not user.is_active:
            raise InvalidInput(f"username: {username!r} is deactivated", field="username")
        _, raw = token_issue(user=user, label=label)
        self.stdout.write(raw)
