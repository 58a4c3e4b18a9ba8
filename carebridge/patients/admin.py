from django.contrib import admin

from carebridge.core.admin_site import ReadOnlyAdmin
from carebridge.patients.models import (
    Patient,
    PatientIdentifier,
    PatientMerge,
    PatientMergeFill,
    PatientMergeMove,
)


class IdentifierInline(admin.TabularInline):
    model = PatientIdentifier
    extra = 0
    fields = ["system", "value"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["mrn", "family_name", "given_name", "birth_date", "organization", "active"]
    list_filter = ["organization", "active"]
    search_fields = ["mrn", "family_name", "given_name"]
    readonly_fields = ["search_family", "search_given", "search_middle", "search_phone", "version"]
    inlines = [IdentifierInline]

    def has_add_permission(self, request):
        # Registration goes through the coordinator UI or the APIs, which validate and audit.
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MergeFillInline(admin.TabularInline):
    model = PatientMergeFill
    extra = 0
    fields = ["field", "value"]


class MergeMoveInline(admin.TabularInline):
    model = PatientMergeMove
    extra = 0
    fields = ["content_type", "object_id"]


@admin.register(PatientMerge)
class PatientMergeAdmin(ReadOnlyAdmin):
    """Merges are made and undone on the patient's page, which checks and audits."""

    list_display = ["duplicate", "keep", "created_at", "merged_by", "undone_at", "organization"]
    list_filter = ["organization"]
    search_fields = ["duplicate__mrn", "keep__mrn"]
    inlines = [MergeMoveInline, MergeFillInline]
