from django.contrib import admin

from carebridge.noshow.models import NoShowCoefficient, NoShowGroupMetric, NoShowModel, NoShowPolicy


@admin.register(NoShowPolicy)
class NoShowPolicyAdmin(admin.ModelAdmin):
    list_display = ["organization", "medium_from", "high_from", "overbook_cap", "call_days"]


class CoefficientInline(admin.TabularInline):
    model = NoShowCoefficient
    extra = 0
    readonly_fields = ["feature", "weight", "mean", "scale"]


class GroupMetricInline(admin.TabularInline):
    model = NoShowGroupMetric
    extra = 0
    readonly_fields = ["dimension", "group", "count", "positives", "mean_predicted", "auc"]


@admin.register(NoShowModel)
class NoShowModelAdmin(admin.ModelAdmin):
    list_display = ["organization", "method", "trained_at", "rows", "positives", "holdout_auc"]
    list_filter = ["organization", "method"]
    inlines = [CoefficientInline, GroupMetricInline]
