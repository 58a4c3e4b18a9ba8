"""Public holidays for a location's country and region, from the `holidays` package."""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

# How the holidays package says it has no calendar for a country or region.
UNKNOWN_CALENDAR = NotImplementedError


@lru_cache(maxsize=256)
def _holidays_for(country: str, subdivision: str, year: int) -> dict[datetime.date, str]:
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except UNKNOWN_CALENDAR:
        # Unknown region codes fall back to the national calendar; unknown countries to none.
        try:
            calendar = holidays.country_holidays(country, years=year)
        except UNKNOWN_CALENDAR:
            return {}
    return dict(calendar)


def public_holiday(location, day: datetime.date) -> str | None:
    """The name of the public holiday on `day` at `location`, or None."""
    if not location.observes_public_holidays or not location.country:
        return None
    return _holidays_for(location.country.upper(), location.state.upper(), day.year).get(day)
