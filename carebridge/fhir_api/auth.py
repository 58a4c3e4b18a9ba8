"""Bearer-token authentication for the FHIR facade."""

from __future__ import annotations

from django.http import HttpRequest

from carebridge.accounts.models import User
from carebridge.accounts.services import token_authenticate
from carebridge.core import context
from carebridge.core.errors import NotFound
from carebridge.fhir_api.outcomes import Unauthorized


def authenticate(request: HttpRequest) -> User:
    """The staff user behind the request's bearer token; audit entries name the token.

    The user is kept where the JSON API keeps it, so that its role check (`require`) serves
    the facade too."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthorized("an Authorization: Bearer <token> header is required")
    try:
        user, token = token_authenticate(raw.strip())
    except NotFound as error:
        raise Unauthorized("the bearer token is unknown or revoked") from error
    context.bind_token(token.id)
    request.auth = user  # type: ignore[attr-defined]
    return user
