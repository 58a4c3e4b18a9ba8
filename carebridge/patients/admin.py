from django.contrib import admin

from carebridge.patients.models import Patient, PatientIdentifier


class IdentifierInline(admin.TabularInline):
    model = PatientIdentifier
    extra = 0
    fields = ["system", "value"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["mrn", "family_name", "given_name", "birth_date", "organization", "active"]
    list_filter = ["organization", "active"]
    search_fields = ["mrn", "family_name", "given_name"]
    readonly_fields = ["search_family", "search_given", "search_phone", "version"]
    inlines = [IdentifierInline]

    def has_add_permission(self, request):
        # Registration goes through the coordinator UI or the APIs, which validate and audit.
        return False

    def has_change_permission(self, request, obj=None):
        return False
