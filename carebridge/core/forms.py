"""Helpers for the forms of every app's pages."""

from __future__ import annotations

from django import forms

from carebridge.core.errors import DomainError


def show_domain_error(
    form: forms.Form, error: DomainError, renamed: dict[str, str] | None = None
) -> None:
    """Put a service's error next to the field it names (the form's field `renamed` gives
    for it, if any), or above the form; each of them when it found several."""
    for problem in getattr(error, "problems", [error]):
        field = (renamed or {}).get(problem.field, problem.field)
        form.add_error(field if field in form.fields else None, problem.reason)
