import getpass
import os
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from carebridge.accounts.constants import Role
from carebridge.accounts.models import User
from carebridge.accounts.selectors import organization_by_slug
from carebridge.accounts.services import user_create
from carebridge.core.errors import InvalidInput
from carebridge.core.management.base import DomainCommand

PASSWORD_VARIABLE = "CAREBRIDGE_PASSWORD"


class Command(DomainCommand):
    help = (
        f"Create a staff user of a clinic. The password comes from {PASSWORD_VARIABLE}, "
        "or is asked for twice at the terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the clinic's slug")
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def run(self, *, org, username, role, email, first_name, last_name, **options):
        organization = organization_by_slug(slug=org)
        password = self._password(
            User(username=username, email=email, first_name=first_name, last_name=last_name)
        )
        user = user_create(
            organization=organization,
            username=username,
            password=password,
            role=role,
            first_name=first_name,
            last_name=last_name,
            email=email,
        )
        self.stdout.write(f"Created {user.role} {user.username} in {organization.slug}.")

    def _password(self, candidate: User) -> str:
        password = os.environ.get(PASSWORD_VARIABLE) or self._prompt()
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise InvalidInput(f"password: {' '.join(error.messages)}", field="password") from error
        return password

    def _prompt(self) -> str:
        if not sys.stdin.isatty():
            raise InvalidInput(
                f"password: set {PASSWORD_VARIABLE} or run the command in a terminal",
                field="password",
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise InvalidInput("password: the two passwords differ", field="password")
        return password
