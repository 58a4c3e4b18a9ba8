"""Half-open time ranges [start, end) and wall-clock conversions that respect DST."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

Range = tuple[datetime.datetime, datetime.datetime]
UTC = datetime.UTC


@lru_cache(maxsize=64)
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def merge(ranges: Iterable[Range]) -> list[Range]:
    """Sorted, non-overlapping ranges covering the same time."""
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(ranges: list[Range], holes: list[Range]) -> list[Range]:
    """The parts of `ranges` (sorted, merged) not covered by any of `holes`."""
    result: list[Range] = []
    holes = merge(holes)
    for start, end in ranges:
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(ranges: list[Range], windows: list[Range]) -> list[Range]:
    """The parts of `ranges` that fall inside any of `windows`."""
    result = []
    for window_start, window_end in merge(windows):
        for start, end in ranges:
            if start < window_end and window_start < end:
                result.append((max(start, window_start), min(end, window_end)))
    return merge(result)


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def wall_to_utc(day: datetime.date, time: datetime.time, zone: ZoneInfo) -> datetime.datetime:
    """The instant a wall clock in `zone` shows `time` on `day` (first one if it shows twice;
    the pre-transition offset if it never does)."""
    return datetime.datetime.combine(day, time, tzinfo=zone).astimezone(UTC)


def wall_time_exists(day: datetime.date, time: datetime.time, zone: ZoneInfo) -> bool:
    """False when clocks in `zone` skip `time` on `day` (the spring-forward hour)."""
    shown = wall_to_utc(day, time, zone).astimezone(zone)
    return (shown.date(), shown.time()) == (day, time)


def is_unambiguous_wall_time(local: datetime.datetime, zone: ZoneInfo) -> bool:
    """False when the wall time is skipped (spring forward) or repeated (fall back)."""
    aware = local.replace(tzinfo=zone)
    if aware.utcoffset() != aware.replace(fold=1).utcoffset():
        return False
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


def local_day_bounds(day: datetime.date, zone: ZoneInfo) -> Range:
    """Midnight to midnight of a local day, in UTC (23 or 25 hours long on DST days)."""
    next_day = day + datetime.timedelta(days=1)
    return wall_to_utc(day, datetime.time(0), zone), wall_to_utc(next_day, datetime.time(0), zone)
