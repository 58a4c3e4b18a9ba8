"""Turning Django's model validation into a domain error that names the field."""

import functools

from django.core.exceptions import ValidationError
from django.db import models

from carebridge.core.errors import InvalidInput


def clean_or_raise(instance: models.Model, **kwargs) -> None:
    """full_clean(), reporting the first problem as InvalidInput(field=...)."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(f"{field}: {' '.join(messages)}", field=field) from error


@functools.cache
def choice_values(choices: type[models.Choices]) -> frozenset:
    """The values of a choices class, worked out once: Django builds `choices.values` anew
    on every access, which a booking's checks did a dozen times."""
    return frozenset(choices.values)
