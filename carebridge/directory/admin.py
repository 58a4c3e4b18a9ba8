from django.contrib import admin

from carebridge.directory.models import (
    Location,
    OpeningHours,
    Practitioner,
    PractitionerLanguage,
    PractitionerRole,
    Specialty,
)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "city", "timezone", "active"]
    list_filter = ["organization"]
    inlines = [OpeningHoursInline]


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "organization"]


class LanguageInline(admin.TabularInline):
    model = PractitionerLanguage
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "npi", "organization", "active"]
    list_filter = ["organization", "active"]
    search_fields = ["family_name", "given_name", "npi"]
    inlines = [LanguageInline]


@admin.register(PractitionerRole)
class PractitionerRoleAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "location", "specialty", "active"]
    list_filter = ["organization", "location"]
