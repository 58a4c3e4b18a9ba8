"""The demo clinic's staff logins, one per role, and the file that hands them out."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from carebridge.accounts.constants import Role
from carebridge.accounts.models import Organization, User
from carebridge.accounts.services import user_create


def staff_create(*, organization: Organization) -> dict[str, tuple[User, str]]:
    """One user per role, named `<org>-<role>`, with a fresh random password each.

    The passwords are random on purpose (not derived from the seed): a demo that someone
    exposes must not have guessable logins.
    """
    staff = {}
    for role in Role.values:
        password = secrets.token_urlsafe(18)
        user = user_create(
            organization=organization,
            username=f"{organization.slug}-{role}",
            password=password,
            role=role,
            email=f"{role}@{organization.slug}.example.org",
        )
        staff[role] = (user, password)
    return staff


def logins_write(*, home: Path, organization: Organization, staff: dict) -> Path:
    """Write `<home>/<org>-logins.json`, readable by its owner only (it holds passwords)."""
    path = home / f"{organization.slug}-logins.json"
    content = {
        "organization": organization.slug,
        "users": [
            {"username": user.username, "password": password, "role": role}
            for role, (user, password) in staff.items()
        ],
    }
    # Created with 0600 rather than chmod-ed afterwards, so the passwords are never readable
    # by others, not even for a moment.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(content, file, indent=2)
    path.chmod(0o600)
    return path
