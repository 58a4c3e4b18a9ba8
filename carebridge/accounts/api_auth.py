"""Bearer-token authentication and role permissions for the JSON API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from carebridge.accounts.models import Organization, User
from carebridge.accounts.services import token_authenticate
from carebridge.core.context import bind_token
from carebridge.core.errors import NotFound, PermissionDenied


class BearerToken(HttpBearer):
    """`Authorization: Bearer cbt_…`; checked against the database on every request, so a
    revoked token or a deactivated user is refused on the very next call."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        try:
            user, api_token = token_authenticate(token)
        except NotFound:
            return None
        bind_token(api_token.id)
        return user


def actor(request: HttpRequest) -> User:
    """The staff user behind the request's token."""
    return request.auth  # type: ignore[attr-defined]


def organization(request: HttpRequest) -> Organization:
    """The tenant every read and write of this request is scoped to."""
    return actor(request).organization


def require(request: HttpRequest, permission: str) -> None:
    """Refuse the request unless the user's role holds `permission` (see ROLE_PERMISSIONS)."""
    if not actor(request).has_perm(permission):
        raise PermissionDenied(f"your role may not do this ({permission})")
