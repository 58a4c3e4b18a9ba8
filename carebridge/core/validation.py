"""Turning Django's model validation into a domain error that names the field."""

import functools
import re

from django.core.exceptions import ValidationError
from django.db import models

from carebridge.core.errors import InvalidInput, raise_all

# What every way in says of text holding a NUL character, which PostgreSQL cannot store.
NUL_CHARACTER = "contains a NUL character (\\u0000)"

# A BCP 47 tag's shape: a language of two or three letters, then subtags of up to eight
# letters or digits (region, script, variant), e.g. en, es-MX, zh-Hant-TW.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def validate_language_tag(value: str) -> None:
    if not LANGUAGE_TAG.fullmatch(value):
        raise ValidationError(f"{value!r} is not a language tag such as en, es or pt-BR")


def clean_problems(instance: models.Model, **kwargs) -> list[InvalidInput]:
    """What full_clean() finds wrong, one InvalidInput(field=...) per field."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        return [
            InvalidInput(f"{field}: {' '.join(messages)}", field=field)
            for field, messages in error.message_dict.items()
        ]
    return []


def clean_or_raise(instance: models.Model, **kwargs) -> None:
    """full_clean(), reporting every problem at once (see `raise_all`)."""
    raise_all(clean_problems(instance, **kwargs))


@functools.cache
def choice_values(choices: type[models.Choices]) -> frozenset:
    """The values of a choices class, worked out once: Django builds `choices.values` anew
    on every access, which a booking's checks did a dozen times."""
    return frozenset(choices.values)
