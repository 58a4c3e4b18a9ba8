"""Turning Django's model validation into a domain error that names the field, and the years
a date given to a clinic may fall in."""

import datetime
import functools
import re

from django.core.exceptions import ValidationError
from django.db import models

from carebridge.core import clock
from carebridge.core.errors import InvalidInput, raise_all

# What every way in says of text holding a NUL character, which PostgreSQL cannot store.
NUL_CHARACTER = "contains a NUL character (\\u0000)"

# A BCP 47 tag's shape: a language of two or three letters, then subtags of up to eight
# letters or digits (region, script, variant), e.g. en, es-MX, zh-Hant-TW.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")

# The dates a clinic deals in (visits, hours, time off, the messages about them) run from
# this year to this far ahead: a date outside is a mistyped year. Checking it before anything
# else also keeps an offset from carrying a time past what Python's dates hold (year 1 or
# 9999 read in UTC), which would crash whatever converts it.
EARLIEST_YEAR = 1900
HORIZON = datetime.timedelta(days=5 * 365)
# The years a search may name: any visit's, and far enough inside what Python's dates hold
# that a search can look a day to either side. A search for "everything before 2100" is no
# mistake, so searches are not held to the horizon.
SEARCHABLE_YEARS = range(EARLIEST_YEAR, 3000)

# Days or moments by the name of the field they came in.
Dates = dict[str, datetime.date | datetime.datetime | None]


def validate_language_tag(value: str) -> None:
    if not LANGUAGE_TAG.fullmatch(value):
        raise ValidationError(f"{value!r} is not a language tag such as en, es or pt-BR")


def _year_problem(
    field: str, value: datetime.date | datetime.datetime, zone: datetime.tzinfo
) -> InvalidInput | None:
    if value.year < EARLIEST_YEAR:
        return InvalidInput(f"{field}: before {EARLIEST_YEAR}; check the year", field=field)
    # Aware times subtract without going through UTC, so an absurd one cannot overflow here.
    if isinstance(value, datetime.datetime):
        ahead = value - clock.now()
    else:
        ahead = value - clock.today(zone)
    if ahead > HORIZON:
        years = HORIZON.days // 365
        return InvalidInput(f"{field}: more than {years} years ahead; check the year", field=field)
    return None


def year_problems(values: Dates, *, zone: datetime.tzinfo = datetime.UTC) -> list[InvalidInput]:
    """One problem per value (aware time, or a day where `zone` is) outside EARLIEST_YEAR to
    HORIZON ahead; None is no value given."""
    found = (
        _year_problem(field, value, zone) for field, value in values.items() if value is not None
    )
    return [problem for problem in found if problem]


def check_years(values: Dates, *, zone: datetime.tzinfo = datetime.UTC) -> None:
    """`year_problems`, raised all at once (see `raise_all`)."""
    raise_all(year_problems(values, zone=zone))


def check_search_window(values: Dates) -> None:
    """A search's bounds, from and before (in that order), each in SEARCHABLE_YEARS as
    written, and the second after the first when both are given: a window that holds no
    time is a mistake, not a question."""
    first, last = SEARCHABLE_YEARS[0], SEARCHABLE_YEARS[-1]
    raise_all(
        [
            InvalidInput(
                f"{field}: outside the years {first} to {last} that can be searched", field=field
            )
            for field, value in values.items()
            if value is not None and value.year not in SEARCHABLE_YEARS
        ]
    )
    (start_name, start), (end_name, end) = values.items()
    if start is not None and end is not None and end <= start:
        raise InvalidInput(f"{end_name}: must be after {start_name}", field=end_name)


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
