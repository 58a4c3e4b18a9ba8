import datetime

from django.db import models

from carebridge.core import clock
from carebridge.core.models import TenantModel
from carebridge.core.timeranges import zone_of
from carebridge.scheduling.constants import (
    ACTIVE_STATUSES,
    AppointmentStatus,
    BookingChannel,
    CancelledBy,
    ConfirmationChannel,
    ExceptionKind,
    PatientKind,
    RuleKind,
)


class VisitType(TenantModel):
    name = models.CharField(max_length=100)
    code = models.SlugField(max_length=40)
    duration_minutes = models.PositiveSmallIntegerField()
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    allowed_specialties = models.ManyToManyField(
        "directory.Specialty",
        blank=True,
        related_name="visit_types",
        help_text="Empty means any specialty",
    )
    patient_kind = models.CharField(
        max_length=12, choices=PatientKind.choices, default=PatientKind.ANY
    )
    telehealth = models.BooleanField(default=False)
    preparation_instructions = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#4f7cac", help_text="#rrggbb")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="visit_type_code"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="visit_type_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AvailabilityRule(TenantModel):
    """Weekly recurring working hours or a break, for one practitioner at one location.

    Times are wall-clock times in the location's zone, so 09:00 stays 09:00 across DST.
    """

    practitioner = models.ForeignKey(
        "directory.Practitioner", on_delete=models.CASCADE, related_name="availability_rules"
    )
    location = models.ForeignKey(
        "directory.Location", on_delete=models.CASCADE, related_name="availability_rules"
    )
    kind = models.CharField(max_length=10, choices=RuleKind.choices, default=RuleKind.WORKING)
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    start_time = models.TimeField()
    end_time = models.TimeField()
    effective_from = models.DateField(null=True, blank=True)
    effective_until = models.DateField(null=True, blank=True, help_text="Inclusive; empty = open")

    class Meta:
        ordering = ["practitioner", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="rule_time_order"
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="rule_weekday"),
        ]


class AvailabilityException(TenantModel):
    """A one-off change: time off (vacation, sickness) or extra working hours."""

    practitioner = models.ForeignKey(
        "directory.Practitioner", on_delete=models.CASCADE, related_name="availability_exceptions"
    )
    location = models.ForeignKey(
        "directory.Location",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="Required for extra hours; empty time off applies everywhere",
    )
    kind = models.CharField(max_length=12, choices=ExceptionKind.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="exception_time_order"
            ),
        ]


class ClosedDay(TenantModel):
    """A day a location (or, with no location, the whole clinic) is closed."""

    location = models.ForeignKey(
        "directory.Location", on_delete=models.CASCADE, null=True, blank=True
    )
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]


class Appointment(TenantModel):
    """A visit. Stored in UTC, shown in the location's zone.

    `blocked_start`/`blocked_end` add the visit type's buffers; the practitioner's time is
    blocked over that range, the patient's over start/end. On PostgreSQL exclusion constraints
    keep active appointments from overlapping; overbooked visits bypass the practitioner one.
    """

    # Indexed through the (organization, ...) indexes below, which it leads: every booking
    # wrote one index entry more without it.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, db_index=False
    )
    # Indexed through (patient, start) below, which it leads.
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    practitioner = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey(
        "directory.Location", on_delete=models.PROTECT, related_name="appointments"
    )
    visit_type = models.ForeignKey(VisitType, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    cancellation_reason = models.CharField(max_length=200, blank=True)
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True)
    notes = models.TextField(blank=True)
    booking_channel = models.CharField(
        max_length=10, choices=BookingChannel.choices, default=BookingChannel.WEB
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overbooked = models.BooleanField(default=False)
    overbook_reason = models.CharField(max_length=200, blank=True)
    # When the patient asked for the visit (lead time); imports of history set it.
    booked_at = models.DateTimeField(default=clock.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_via = models.CharField(max_length=10, choices=ConfirmationChannel.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appointment_time_order"
            ),
            models.CheckConstraint(
                condition=models.Q(overbooked=False) | ~models.Q(overbook_reason=""),
                name="appointment_overbook_needs_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "practitioner", "start"]),
            # Busy time ahead of a moment (slot search, clash check) without reading the
            # practitioner's whole history: blocked_end > moment is a range on it.
            models.Index(fields=["organization", "practitioner", "blocked_end"]),
            models.Index(fields=["organization", "location", "start"]),
            models.Index(fields=["patient", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.visit_type} {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def local_start(self) -> datetime.datetime:
        """The start in the location's zone, as patients and staff read it."""
        return self.start.astimezone(zone_of(self.location.timezone))

    @property
    def local_end(self) -> datetime.datetime:
        return self.end.astimezone(zone_of(self.location.timezone))


class AppointmentHistory(models.Model):
    """One change to an appointment: who, when, what changed and why."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="history")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=30)
    changed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["appointment", "version"]
        verbose_name_plural = "appointment history"


class AppointmentFieldChange(models.Model):
    """One field's old and new value within a history entry."""

    history = models.ForeignKey(
        AppointmentHistory, on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField(max_length=40)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)


class ReminderPolicy(TenantModel):
    """When and how patients hear about their visits: one row per organization (no visit
    type), and optionally one per visit type, which then replaces the organization's.

    Quiet hours are wall-clock times in the patient's zone; equal start and end mean none.
    Without any row, the defaults in scheduling.services.reminders apply.
    """

    visit_type = models.ForeignKey(
        VisitType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_policies",
        help_text="Empty: the organization's policy",
    )
    confirm_on_booking = models.BooleanField(
        default=True, help_text="Send a confirmation as soon as a visit is booked"
    )
    quiet_start = models.TimeField(default=datetime.time(21))
    quiet_end = models.TimeField(default=datetime.time(8))
    sms_shows_visit_type = models.BooleanField(
        "text messages name the visit type",
        default=False,
        help_text="Off keeps the kind of visit out of text messages",
    )

    class Meta:
        verbose_name_plural = "reminder policies"
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(visit_type=None),
                name="reminder_policy_per_organization",
            ),
            models.UniqueConstraint(
                fields=["organization", "visit_type"],
                condition=models.Q(visit_type__isnull=False),
                name="reminder_policy_per_visit_type",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminders for {self.visit_type or 'all visits'}"


class ReminderOffset(models.Model):
    """Remind this long before the visit."""

    policy = models.ForeignKey(ReminderPolicy, on_delete=models.CASCADE, related_name="offsets")
    minutes_before = models.PositiveIntegerField(help_text="e.g. 10080 = 7 days, 120 = 2 hours")

    class Meta:
        ordering = ["-minutes_before"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "minutes_before"], name="reminder_offset"),
            models.CheckConstraint(
                condition=models.Q(minutes_before__gt=0), name="reminder_offset_positive"
            ),
        ]


class RescheduleOffer(TenantModel):
    """Other times offered to a patient who asked to move a visit; the patient picks one by
    its number (text reply) or on the visit page. Only the newest open offer counts."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="reschedule_offers"
    )
    offered_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    chosen_number = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-offered_at"]


class RescheduleOption(models.Model):
    offer = models.ForeignKey(RescheduleOffer, on_delete=models.CASCADE, related_name="options")
    number = models.PositiveSmallIntegerField()
    practitioner = models.ForeignKey(
        "directory.Practitioner", on_delete=models.CASCADE, related_name="+"
    )
    location = models.ForeignKey("directory.Location", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()

    class Meta:
        ordering = ["offer", "number"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "number"], name="reschedule_option_number")
        ]


# The waitlist models live in their own module; importing it registers them in this app.
from carebridge.scheduling.waitlist_models import (  # noqa: E402, F401
    BackfillSlot,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistPolicy,
)
