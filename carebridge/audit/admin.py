from django.contrib import admin

from carebridge.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_at",
        "organization",
        "actor_label",
        "action",
        "object_type",
        "patient_ref",
        "outcome",
    ]
    list_filter = ["organization", "action", "outcome"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
