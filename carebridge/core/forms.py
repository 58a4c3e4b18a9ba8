"""Helpers for the forms of every app's pages."""

from __future__ import annotations

import re

from django import forms

from carebridge.core.errors import DomainError

# A field's name as a service writes it into a reason ("must be after start_time"). Only
# names with an underscore are taken: no word of a sentence has one.
FIELD_NAME = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def show_domain_error(
    form: forms.Form, error: DomainError, renamed: dict[str, str] | None = None
) -> None:
    """Put a service's error next to the field it names (the form's field `renamed` gives
    for it, if any), or above the form; each of them when it found several. The form's
    fields the reason names are given by the labels the page shows."""
    for problem in getattr(error, "problems", [error]):
        field = (renamed or {}).get(problem.field, problem.field)
        form.add_error(field if field in form.fields else None, _in_labels(form, problem.reason))


def _in_labels(form: forms.Form, reason: str) -> str:
    def label(match: re.Match) -> str:
        name = match.group()
        return f"“{form[name].label}”" if name in form.fields else name

    return FIELD_NAME.sub(label, reason)
