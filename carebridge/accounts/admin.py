from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from carebridge.accounts.models import ApiToken, Organization, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "active"]


@admin.register(User)
class CareBridgeUserAdmin(UserAdmin):
    list_display = ["username", "organization", "role", "is_active"]
    list_filter = ["organization", "role", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("Clinic", {"fields": ["organization", "role"]})]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "label", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest"]
