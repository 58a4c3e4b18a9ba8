import functools
import uuid
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from carebridge.accounts.constants import Role


@functools.cache
def _known_zones() -> frozenset[str]:
    # Listing the zones reads the whole tz database from disk; once per process is enough.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _known_zones():
        raise ValidationError(f"{value!r} is not an IANA time zone")


class Organization(models.Model):
    """A clinic, and the tenant boundary: no data crosses from one to another."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set anew (at random) by database triggers whenever the clinic's reminder policies or
    # message templates change (scheduling and notifications migrations): processes keep
    # those in memory per revision, so every booking need not read them again.
    messaging_revision = models.PositiveBigIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member of one organization; the role decides the permission group."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.COORDINATOR)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)


def saved_user(actor: User | None) -> User | None:
    """The actor as a row to point at: None for the system and for an actor that is not a
    saved user (nobody to name)."""
    return actor if actor is not None and actor.pk else None


class ApiToken(models.Model):
    """A bearer token for the JSON and FHIR APIs; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
