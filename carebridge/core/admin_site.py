"""The Django admin, for the people who run an installation."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class OperatorAdminSite(admin.AdminSite):
    """Its lists span every organization, so only superusers (the installation's operators)
    may use it; a clinic's own admins manage their clinic through its pages, which keep to
    their organization."""

    site_header = "CareBridge operations"
    site_title = "CareBridge operations"

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


class OperatorAdminConfig(AdminConfig):
    default_site = "carebridge.core.admin_site.OperatorAdminSite"


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that change only through their services, which keep the rules and audit:
    operators may look, not add, edit or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
