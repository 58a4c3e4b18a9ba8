"""The waitlist, the freed slots offered to it and the offers themselves.

Imported by scheduling.models, so the models belong to the scheduling app.
"""

import calendar

from django.db import models

from carebridge.core import clock
from carebridge.core.models import TenantModel
from carebridge.scheduling.waitlist_constants import (
    BackfillSlotStatus,
    OfferStatus,
    WaitlistPriority,
    WaitlistStatus,
)


class WaitlistEntry(TenantModel):
    """A patient who wants an earlier (or any) visit of a type, with their preferences.

    Empty preferences mean "any". Weekdays and the time window are wall-clock values at the
    visit's location; dates are local dates there. Time waiting counts from joined_at.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    visit_type = models.ForeignKey(
        "scheduling.VisitType", on_delete=models.PROTECT, related_name="+"
    )
    practitioner = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    specialty = models.ForeignKey(
        "directory.Specialty", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    location = models.ForeignKey(
        "directory.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weekdays = models.JSONField(
        default=list, blank=True, help_text="0 = Monday … 6 = Sunday; empty means any day"
    )
    time_from = models.TimeField(null=True, blank=True)
    time_to = models.TimeField(null=True, blank=True)
    earliest_date = models.DateField(null=True, blank=True)
    latest_date = models.DateField(null=True, blank=True)
    priority = models.CharField(
        max_length=10, choices=WaitlistPriority.choices, default=WaitlistPriority.ROUTINE
    )
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The visit booked from the waitlist",
    )
    joined_at = models.DateTimeField(
        default=clock.now, help_text="When the patient asked to wait: time waiting counts from here"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_from__isnull=True, time_to__isnull=True)
                | models.Q(time_to__gt=models.F("time_from")),
                name="waitlist_time_window",
            ),
            models.CheckConstraint(
                condition=models.Q(earliest_date__isnull=True)
                | models.Q(latest_date__isnull=True)
                | models.Q(latest_date__gte=models.F("earliest_date")),
                name="waitlist_date_order",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "status", "joined_at"], name="waitlist_org_status_joined"
            )
        ]

    def __str__(self) -> str:
        return f"{self.visit_type} for patient {self.patient_id} ({self.status})"

    @property
    def weekday_names(self) -> list[str]:
        return [calendar.day_abbr[day] for day in self.weekdays]


class WaitlistEntryClosedInMerge(WaitlistEntry):
    """An entry a patient merge took off the list because the kept record already waited
    for the same visit: recorded under this name so that undoing the merge puts it back."""

    class Meta:
        proxy = True
        verbose_name = "waitlist entry the merge closed"
        verbose_name_plural = "waitlist entries the merge closed"


class WaitlistPolicy(TenantModel):
    """How a clinic offers freed slots; without a row the model defaults apply."""

    batch_size = models.PositiveSmallIntegerField(
        default=3, help_text="Patients offered a slot at once"
    )
    hold_minutes = models.PositiveSmallIntegerField(
        default=30, help_text="How long an offer is held for the patient"
    )
    min_lead_minutes = models.PositiveSmallIntegerField(
        default=60, help_text="No offer for a visit starting sooner than this"
    )

    class Meta:
        verbose_name_plural = "waitlist policies"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="waitlist_policy_per_org"),
            models.CheckConstraint(
                condition=models.Q(batch_size__gt=0, hold_minutes__gt=0),
                name="waitlist_policy_positive",
            ),
        ]


class BackfillSlot(TenantModel):
    """Time a visit freed (cancelled, moved away, no-show with the visit still ahead), offered
    to the waitlist from `start`. The first accepted offer claims it (open -> filled)."""

    practitioner = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("directory.Location", on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(help_text="The start offered")
    freed_start = models.DateTimeField()
    freed_end = models.DateTimeField()
    freed_at = models.DateTimeField()
    freed_by = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The visit whose time this was",
    )
    status = models.CharField(
        max_length=10, choices=BackfillSlotStatus.choices, default=BackfillSlotStatus.OPEN
    )
    filled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The visit booked into it",
    )

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(freed_end__gt=models.F("freed_start")),
                name="backfill_slot_time_order",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "start"]),
            models.Index(fields=["organization", "freed_at"]),
        ]


class WaitlistOffer(TenantModel):
    """One backfill slot offered to one waitlist entry, held until `expires_at`."""

    slot = models.ForeignKey(BackfillSlot, on_delete=models.CASCADE, related_name="offers")
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    batch = models.PositiveSmallIntegerField(help_text="1 for the first patients offered, …")
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["offered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "entry"], name="waitlist_offer_once"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]
