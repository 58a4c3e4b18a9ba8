"""Reads of clinics and staff users, for the command line and the ways in."""

from __future__ import annotations

from carebridge.accounts.models import Organization, User
from carebridge.core.errors import NotFound


def organization_by_slug(*, slug: str) -> Organization:
    """The clinic with this slug, for the command line; NotFound names the `org` argument."""
    try:
        return Organization.objects.get(slug=slug)
    except Organization.DoesNotExist as error:
        raise NotFound(f"org: no clinic with slug {slug!r}", field="org") from error


def user_by_username(*, organization: Organization, username: str) -> User:
    """A staff user of the organization; a user of another clinic is not found."""
    try:
        return User.objects.get(organization=organization, username=username)
    except User.DoesNotExist as error:
        raise NotFound(
            f"username: no user {username!r} in {organization.slug}", field="username"
        ) from error
