"""Organizations, users and API tokens."""

from __future__ import annotations

import datetime
import functools
import hashlib
import secrets

from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction

from carebridge.accounts.backends import permissions_remember, permissions_select
from carebridge.accounts.constants import ROLE_PERMISSIONS, Role
from carebridge.accounts.models import ApiToken, Organization, User
from carebridge.core import clock
from carebridge.core.db import quoted_column
from carebridge.core.errors import InvalidInput, NotFound
from carebridge.core.selectors import SideBySide
from carebridge.core.validation import clean_or_raise

TOKEN_PREFIX = "cbt_"
TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=1)


@transaction.atomic
def organization_create(*, slug: str, name: str, timezone: str = "UTC") -> Organization:
    """Create a clinic. The slug is unique across the installation."""
    organization = Organization(slug=slug, name=name, timezone=timezone)
    clean_or_raise(organization)
    organization.save()
    return organization


def messaging_revision_reload(organization: Organization) -> None:
    """Take the messaging revision that database triggers just set into this copy of the
    organization, so what the caller does next with it sees the change (copies read later
    see it anyway). Services that change reminder policies or wording call it."""
    organization.refresh_from_db(fields=["messaging_revision"])


def role_group(role: str) -> Group:
    """The permission group of a role, created with its permissions on first use."""
    group, created = Group.objects.get_or_create(name=f"role:{role}")
    if created:
        wanted = ROLE_PERMISSIONS[role]
        permissions = Permission.objects.all()
        if wanted != ["*"]:
            pairs = [name.split(".") for name in wanted]
            permissions = [
                p
                for p in permissions.select_related("content_type")
                if [p.content_type.app_label, p.codename] in pairs
            ]
        group.permissions.set(permissions)
    return group


@transaction.atomic
def user_create(
    *,
    organization: Organization,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create a staff user of one organization with the role's permission group."""
    if role not in Role.values:
        raise InvalidInput(f"role: must be one of {', '.join(Role.values)}", field="role")
    user = User(
        organization=organization,
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=role == Role.ADMIN,
    )
    user.set_password(password)
    clean_or_raise(user)
    user.save()
    user.groups.set([role_group(role)])
    return user


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Deactivate a user; live sessions and tokens stop working on their next request."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=clock.now())
    return user


def _digest(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_issue(*, user: User, label: str = "") -> tuple[ApiToken, str]:
    """Issue a bearer token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, prefix=raw[:12], digest=_digest(raw), label=label)
    return token, raw


@transaction.atomic
def token_revoke(*, organization: Organization, prefix: str) -> int:
    """Revoke every live token of the organization that starts with `prefix`."""
    return ApiToken.objects.filter(
        user__organization=organization, prefix=prefix[:12], revoked_at=None
    ).update(revoked_at=clock.now())


def token_authenticate(raw: str) -> tuple[User, ApiToken]:
    """The user behind a bearer token; raises NotFound for unknown, revoked or inactive."""
    token = _live_token(_digest(raw))
    if token is None:
        raise NotFound("unknown or revoked token")
    now = clock.now()
    # Recorded at most once a minute: enough to spot unused tokens, no write per request.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


def _live_token(digest: str) -> ApiToken | None:
    """The unrevoked token of an active user of an organization, with both loaded, and the
    user's permissions, which every API request checks next."""
    sql, columns = _live_token_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest, True])
        row = cursor.fetchone()
    if row is None:
        return None
    token, user, organization = columns.instances(row)
    permissions_remember(user, set((row[-1] or "").split()))
    user.organization = organization
    token.user = user
    return token


@functools.cache
def _live_token_sql() -> tuple[str, SideBySide]:
    """Written out, as every API request runs it: the ORM's three-table form cost more to
    build than to run. The last column lists the user's permissions, space-separated."""
    quote = connection.ops.quote_name
    columns = SideBySide((ApiToken, User, Organization))
    token, user, organization = (model._meta for model in columns.models)
    joined = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    held = permissions_select(f"t1.{quoted_column(user, 'id')}")
    permissions = f"(SELECT {joined}(held.app || '.' || held.code, ' ') FROM ({held}) held)"  # noqa: S608
    sql = (
        f"SELECT {columns.select}, {permissions} FROM {quote(token.db_table)} t0"  # noqa: S608
        f" JOIN {quote(user.db_table)} t1"
        f" ON t1.{quoted_column(user, 'id')} = t0.{quoted_column(token, 'user')}"
        f" JOIN {quote(organization.db_table)} t2"
        f" ON t2.{quoted_column(organization, 'id')} = t1.{quoted_column(user, 'organization')}"
        f" WHERE t0.{quoted_column(token, 'digest')} = %s"
        f" AND t0.{quoted_column(token, 'revoked_at')} IS NULL"
        f" AND t1.{quoted_column(user, 'is_active')} = %s"
    )
    return sql, columns
