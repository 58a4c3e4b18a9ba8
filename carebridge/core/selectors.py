"""The base of every `access_*` selector: one object of one organization, or NotFound."""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

from carebridge.core.errors import NotFound

M = TypeVar("M", bound=Model)


def get_in_organization(queryset: QuerySet[M], organization, public_id: uuid.UUID | str) -> M:
    """The object with this public id in the organization; another organization's object,
    a malformed id and a missing one all raise the same NotFound."""
    try:
        return queryset.get(organization=organization, public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as error:
        raise NotFound(f"{queryset.model._meta.verbose_name} not found") from error
