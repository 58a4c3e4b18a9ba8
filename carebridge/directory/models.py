from django.db import models

from carebridge.accounts.models import validate_timezone
from carebridge.core.models import TenantModel


class Location(TenantModel):
    """A site where patients are seen; its time zone is the truth for its schedule."""

    name = models.CharField(max_length=200)
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True, help_text="Region, e.g. MA")
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166-1 alpha-2")
    phone = models.CharField(max_length=30, blank=True)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    observes_public_holidays = models.BooleanField(default=True)
    identifier = models.CharField(max_length=200, blank=True, help_text="External identifier")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """When a location's doors are open on one weekday (0 = Monday)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField()
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_order"
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="opening_weekday"),
        ]


class Specialty(TenantModel):
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="specialty_code_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Practitioner(TenantModel):
    prefix = models.CharField(max_length=20, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    npi = models.CharField("NPI", max_length=10, blank=True)
    identifier = models.CharField(max_length=200, blank=True, help_text="External identifier")
    gender = models.CharField(max_length=10, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    specialties = models.ManyToManyField(Specialty, blank=True, related_name="practitioners")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "npi"],
                condition=~models.Q(npi=""),
                name="practitioner_npi_per_org",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(part for part in [self.prefix, self.given_name, self.family_name] if part)


class PractitionerLanguage(models.Model):
    """A language the practitioner can hold a visit in (BCP 47 code, e.g. "es")."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="languages"
    )
    code = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "code"], name="practitioner_language")
        ]


class PractitionerRole(TenantModel):
    """A practitioner practising a specialty at a location."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="roles")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="roles")
    specialty = models.ForeignKey(
        Specialty, on_delete=models.PROTECT, null=True, blank=True, related_name="roles"
    )
    identifier = models.CharField(max_length=200, blank=True, help_text="External identifier")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "location", "specialty"], name="practitioner_role_unique"
            )
        ]
