from django.contrib import admin

from carebridge.core.admin_site import ReadOnlyAdmin
from carebridge.scheduling.models import (
    Appointment,
    AppointmentFieldChange,
    AppointmentHistory,
    AvailabilityException,
    AvailabilityRule,
    ClosedDay,
    ReminderOffset,
    ReminderPolicy,
    VisitType,
)


@admin.register(VisitType)
class VisitTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "duration_minutes", "organization", "active"]
    list_filter = ["organization", "active", "telehealth"]


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(admin.ModelAdmin):
    list_display = [
        "practitioner",
        "location",
        "kind",
        "weekday",
        "start_time",
        "end_time",
        "effective_from",
        "effective_until",
    ]
    list_filter = ["organization", "kind", "location"]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "kind", "start", "end", "location", "reason"]
    list_filter = ["organization", "kind"]


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ["date", "location", "reason", "organization"]


class FieldChangeInline(admin.TabularInline):
    model = AppointmentFieldChange
    extra = 0
    can_delete = False
    readonly_fields = ["field", "old_value", "new_value"]


@admin.register(AppointmentHistory)
class AppointmentHistoryAdmin(admin.ModelAdmin):
    list_display = ["appointment", "version", "action", "changed_by", "changed_at"]
    inlines = [FieldChangeInline]
    readonly_fields = ["appointment", "version", "action", "changed_by", "changed_at", "reason"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    """Appointments change through the booking services, which keep the rules."""

    list_display = ["start", "patient", "practitioner", "location", "visit_type", "status"]
    list_filter = ["organization", "status", "location"]
    date_hierarchy = "start"


class ReminderOffsetInline(admin.TabularInline):
    model = ReminderOffset
    extra = 1


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "organization",
        "confirm_on_booking",
        "quiet_start",
        "quiet_end",
        "sms_shows_visit_type",
    ]
    list_filter = ["organization"]
    inlines = [ReminderOffsetInline]
