"""What the facade knows about one resource type: how to read, search, create and update it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from carebridge.accounts.models import Organization, User
from carebridge.fhir_api.search import SearchParam, SearchRequest, SearchResult


@dataclass(frozen=True)
class Caller:
    """The authenticated staff user, their organization and the facade's absolute base URL."""

    user: User
    base_url: str

    @property
    def organization(self) -> Organization:
        return self.user.organization

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.organization.timezone)


@dataclass(frozen=True)
class ResourceHandler:
    """`read` and `update` raise NotFound for another organization's resource.

    `update` gets the version named by If-Match, or None. A write is refused unless the
    caller's role holds its permission, the one the JSON API asks for the same change.
    """

    resource_type: str
    read: Callable[[Caller, str], dict]
    search: Callable[[Caller, SearchRequest], SearchResult]
    search_params: tuple[SearchParam, ...]
    create: Callable[[Caller, dict], dict] | None = None
    update: Callable[[Caller, str, dict, int | None], dict] | None = None
    create_permission: str = ""
    update_permission: str = ""
    versioned: bool = False

    @property
    def interactions(self) -> tuple[str, ...]:
        writes = [("create", self.create), ("update", self.update)]
        return ("read", "search-type", *(name for name, call in writes if call))
