import io

import pytest
from django.core.management import CommandError, call_command

from carebridge.accounts.selectors import organization_by_slug


def test_creates_the_clinic(db):
    out = io.StringIO()

    call_command(
        "createorg", "--slug", "north", "--name", "North Clinic", "--timezone", "America/Chicago",
        stdout=out,
    )  # fmt: skip

    clinic = organization_by_slug(slug="north")
    assert (clinic.name, clinic.timezone) == ("North Clinic", "America/Chicago")
    assert out.getvalue().strip() == "Created clinic north (North Clinic)."


def test_unknown_timezone_names_the_argument(db):
    with pytest.raises(CommandError, match="timezone: 'Mars/Olympus' is not an IANA time zone"):
        call_command("createorg", "--slug", "x", "--name", "X", "--timezone", "Mars/Olympus")


def test_taken_slug_is_refused(org_a):
    with pytest.raises(CommandError, match="slug: "):
        call_command("createorg", "--slug", "clinic-a", "--name", "Again")


def test_slug_is_required(db):
    with pytest.raises(CommandError, match="--slug"):
        call_command("createorg", "--name", "Nameless")
