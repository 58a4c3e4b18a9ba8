"""The message wording form: it takes what an admin typed; services.templates decides
whether the wording may be kept."""

from __future__ import annotations

from django import forms

from carebridge.notifications.models import MessageTemplate


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(
        required=False,
        max_length=MessageTemplate._meta.get_field("subject").max_length,
        help_text="Emails only",
    )
    body = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
        error_messages={"required": "Write the message."},
    )
