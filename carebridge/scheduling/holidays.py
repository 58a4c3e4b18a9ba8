"""Public holidays for a location's country and region, from the `holidays` package."""

from __future__ import annotations

import datetime
from functools import cache, lru_cache

import holidays


@cache
def _supported() -> dict[str, list[str]]:
    return holidays.list_supported_countries()


@lru_cache(maxsize=256)
def _holidays_for(country: str, subdivision: str, year: int) -> dict[datetime.date, str]:
    """The year's holidays; an unknown region falls back to the national calendar, an
    unknown country to none."""
    regions = _supported().get(country)
    if regions is None:
        return {}
    region = subdivision if subdivision in regions else None
    return dict(holidays.country_holidays(country, subdiv=region, years=year))


def public_holiday(location, day: datetime.date) -> str | None:
    """The name of the public holiday on `day` at `location`, or None."""
    if not location.observes_public_holidays or not location.country:
        return None
    return _holidays_for(location.country.upper(), location.state.upper(), day.year).get(day)
