"""The policy form: it parses numbers; noshow_policy_set decides whether they are allowed."""

from django import forms


class PolicyForm(forms.Form):
    medium_from = forms.FloatField(label="Medium risk from (0-1)")
    high_from = forms.FloatField(label="High risk from (0-1)")
    call_days = forms.IntegerField(label="Call list looks ahead (days)")
    extra_reminder_hours = forms.IntegerField(
        label="Extra reminder before a high-risk visit (hours, 0 = none)"
    )
    overbook_cap = forms.IntegerField(label="Most extra visits suggested a day (0 = none)")

    @classmethod
    def of(cls, policy) -> "PolicyForm":
        return cls(initial={name: getattr(policy, name) for name in cls.base_fields})
