from django.db import models

from carebridge.core.validation import EARLIEST_YEAR, HORIZON


class AppointmentStatus(models.TextChoices):
    """The FHIR Appointment lifecycle."""

    PROPOSED = "proposed", "Proposed"  # suggested, nobody has agreed yet
    PENDING = "pending", "Pending"  # requested, waiting for confirmation
    BOOKED = "booked", "Booked"  # confirmed and holding the time
    ARRIVED = "arrived", "Arrived"  # the patient is in the building
    CHECKED_IN = "checked-in", "Checked in"  # registered at the desk, ready to be seen
    FULFILLED = "fulfilled", "Fulfilled"  # the visit took place
    CANCELLED = "cancelled", "Cancelled"  # called off; frees the time
    NOSHOW = "noshow", "No-show"  # the patient did not come; frees the time
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"  # never valid; frees the time


# Statuses that do not hold time on anyone's calendar.
INACTIVE_STATUSES = frozenset(
    {AppointmentStatus.CANCELLED, AppointmentStatus.NOSHOW, AppointmentStatus.ENTERED_IN_ERROR}
)
ACTIVE_STATUSES = frozenset(AppointmentStatus.values) - INACTIVE_STATUSES

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    AppointmentStatus.PROPOSED: frozenset({"pending", "booked", "cancelled", "entered-in-error"}),
    AppointmentStatus.PENDING: frozenset({"booked", "cancelled", "entered-in-error"}),
    # booked -> fulfilled directly serves telehealth and visits nobody checked in at the desk.
    AppointmentStatus.BOOKED: frozenset(
        {"arrived", "checked-in", "fulfilled", "cancelled", "noshow", "entered-in-error"}
    ),
    AppointmentStatus.ARRIVED: frozenset({"checked-in", "fulfilled", "entered-in-error"}),
    AppointmentStatus.CHECKED_IN: frozenset({"fulfilled", "entered-in-error"}),
    AppointmentStatus.FULFILLED: frozenset({"entered-in-error"}),
    AppointmentStatus.CANCELLED: frozenset({"entered-in-error"}),
    AppointmentStatus.NOSHOW: frozenset({"entered-in-error"}),
    AppointmentStatus.ENTERED_IN_ERROR: frozenset(),
}


class CancelledBy(models.TextChoices):
    PATIENT = "patient", "Patient"  # the patient asked to cancel
    CLINIC = "clinic", "Clinic"  # the clinic called it off (practitioner away, closure)
    SYSTEM = "system", "System"  # an automatic rule (e.g. expired request)


class BookingChannel(models.TextChoices):
    WEB = "web", "Staff web UI"
    API = "api", "JSON API"
    FHIR = "fhir", "FHIR API"
    PHONE = "phone", "Phone"
    PORTAL = "portal", "Patient portal"
    IMPORT = "import", "Import"


class ConfirmationChannel(models.TextChoices):
    """How the patient said they will come."""

    SMS = "sms", "Text reply"
    EMAIL = "email", "Email"
    LINK = "link", "Reminder link"
    PHONE = "phone", "Phone call"
    STAFF = "staff", "At the desk"


class PatientKind(models.TextChoices):
    ANY = "any", "Any patient"
    NEW = "new", "New patients"
    ESTABLISHED = "established", "Established patients"


class RuleKind(models.TextChoices):
    WORKING = "working", "Working hours"  # time the practitioner sees patients
    BREAK = "break", "Break"  # recurring time off inside working hours


class ExceptionKind(models.TextChoices):
    UNAVAILABLE = "unavailable", "Time off"  # vacation, sick day, meeting
    EXTRA_HOURS = "extra", "Extra hours"  # one-off additional working time


# Visits happen from this year on, and are booked at most this far ahead: a date outside is a
# mistyped year, and the calendars (holidays, working hours) are not read for it. The same
# years every date a clinic is given must fall in (core.validation.check_years).
EARLIEST_VISIT_YEAR = EARLIEST_YEAR
BOOKING_HORIZON = HORIZON
