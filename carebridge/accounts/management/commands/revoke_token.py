from carebridge.accounts.selectors import organization_by_slug
from carebridge.accounts.services import token_revoke
from carebridge.core.errors import NotFound
from carebridge.core.management.base import DomainCommand


class Command(DomainCommand):
    help = "Revoke the clinic's live API tokens with this prefix (a token's first 12 characters)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the clinic's slug")
        parser.add_argument(
            "--prefix",
            required=True,
            help="the first 12 characters of the token, e.g. cbt_Ab3dE5fG",
        )

    def run(self, *, org, prefix, **options):
        revoked = token_revoke(organization=organization_by_slug(slug=org), prefix=prefix)
        if not revoked:
            raise NotFound(
                f"prefix: no live token of {org} has the prefix {prefix!r}", field="prefix"
            )
        self.stdout.write(f"Revoked {revoked} token(s).")
