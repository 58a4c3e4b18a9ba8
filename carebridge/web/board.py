"""The day schedule board as rows and columns: pure layout, no queries.

Rows are 15-minute steps of the location's wall clock, so a DST day still shows 09:00 where
the clinic's clocks say 09:00. Columns are practitioners. Appointments are laid over the
grid by row and column; cells say whether that time is free, off-hours or otherwise taken.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from carebridge.core.timeranges import local_day_bounds
from carebridge.scheduling.availability import FreeSlot

ROW = datetime.timedelta(minutes=15)
DEFAULT_HOURS = (datetime.time(8), datetime.time(18))
# Header row and time-label column come first in the CSS grid.
FIRST_ROW = 2
FIRST_COLUMN = 2


@dataclass
class Cell:
    start: datetime.datetime
    # "free" (the chosen visit type can be booked to start here), "open" (doors open, but
    # busy, not working or too short a gap for that visit) or "off" (closed)
    state: str
    grid_row: int
    grid_column: int
    practitioner: object


@dataclass
class Column:
    practitioner: object
    index: int
    cells: list[Cell] = field(default_factory=list)
    # why the practitioner is away during the day, e.g. "Off 09:00-11:00 · Training"
    time_off: list[str] = field(default_factory=list)


@dataclass
class Block:
    """One appointment placed on the grid."""

    appointment: object
    row: int
    span: int
    column: int


@dataclass
class Row:
    start: datetime.datetime
    grid_row: int

    @property
    def on_the_hour(self) -> bool:
        return self.start.minute == 0


@dataclass
class Board:
    day: datetime.date
    zone: ZoneInfo
    rows: list[Row]
    columns: list[Column]
    blocks: list[Block]
    closed_reason: str | None

    @property
    def grid_rows(self) -> list[tuple[Row, list[Cell]]]:
        """Row by row, each with the cell of every column: the order a CSS grid fills."""
        return [
            (row, [column.cells[position] for column in self.columns])
            for position, row in enumerate(self.rows)
        ]


def opening_window(location, day: datetime.date) -> tuple[datetime.time, datetime.time] | None:
    """When the doors are open that weekday (prefetched opening hours), or None if unknown."""
    hours = [h for h in location.opening_hours.all() if h.weekday == day.weekday()]
    if not hours:
        return None
    return min(h.opens for h in hours), max(h.closes for h in hours)


def _wall(day: datetime.date, moment: datetime.time, zone: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, moment, tzinfo=zone)


def _row_starts(day, zone, first: datetime.time, last: datetime.time) -> list[datetime.datetime]:
    # Wall-clock arithmetic on naive times, then each row gets the zone: rows follow the clock.
    cursor = datetime.datetime.combine(day, first)
    end = datetime.datetime.combine(day, last)
    starts = []
    while cursor < end:
        starts.append(cursor.replace(tzinfo=zone))
        cursor += ROW
    return starts


def _hour_floor(moment: datetime.datetime) -> datetime.time:
    return moment.time().replace(minute=0, second=0, microsecond=0)


def _hour_ceiling(moment: datetime.datetime) -> datetime.time:
    if moment.time() == datetime.time(0) or moment.hour == 23:
        return datetime.time(23, 45)
    floor = _hour_floor(moment)
    return floor if moment.time() == floor else floor.replace(hour=floor.hour + 1)


def _window(
    day, zone, opening, moments: list[datetime.datetime]
) -> tuple[datetime.time, datetime.time]:
    """Opening hours, widened to the hour around any visit or free time outside them."""
    first, last = opening
    local = [moment.astimezone(zone) for moment in moments]
    local = [moment for moment in local if moment.date() == day]
    if local:
        first = min(first, _hour_floor(min(local)))
        last = max(last, _hour_ceiling(max(local)))
    return first, last


def _state(start: datetime.datetime, free: set, opening) -> str:
    # Aware datetimes compare by instant, so local row starts match UTC slot starts.
    if start in free:
        return "free"
    if opening and opening[0] <= start.time() < opening[1]:
        return "open"
    return "off"


def _free_starts(slots: list[FreeSlot]) -> dict[int, set[datetime.datetime]]:
    """Each practitioner's bookable start times, in UTC: the slots' own starts only. A
    later row inside a slot is no start of its own when the visit would run from there into
    a break, the next visit or closing."""
    starts = defaultdict(set)
    for slot in slots:
        starts[slot.practitioner_id].add(slot.start)
    return starts


def _block(appointment, rows: list[Row], column: int) -> Block | None:
    covered = [i for i, row in enumerate(rows) if appointment.start <= row.start < appointment.end]
    if not covered:
        return None
    return Block(appointment, covered[0] + FIRST_ROW, len(covered), column)


def time_off_label(entry, day: datetime.date, zone: ZoneInfo) -> str:
    """How time off reads on one day: 'Off all day · Sick', 'Off 09:00-11:00 · Training'."""
    day_start, day_end = local_day_bounds(day, zone)
    if entry.start <= day_start and entry.end >= day_end:
        when = "Off all day"
    else:
        start, end = max(entry.start, day_start), min(entry.end, day_end)
        when = f"Off {start.astimezone(zone):%H:%M}\u2013{end.astimezone(zone):%H:%M}"
    return f"{when} · {entry.reason}" if entry.reason else when


def build_board(
    *,
    location,
    day: datetime.date,
    zone: ZoneInfo,
    practitioners: list,
    appointments: list,
    slots: list[FreeSlot],
    closed_reason: str | None,
    time_off: dict[int, list] | None = None,
) -> Board:
    """Lay the day out; `appointments` are the active ones at this location that day,
    `time_off` the practitioners' time off that day by practitioner id."""
    opening = None if closed_reason else opening_window(location, day) or DEFAULT_HOURS
    moments = [a.start for a in appointments] + [a.end for a in appointments]
    moments += [s.start for s in slots] + [s.end for s in slots]
    rows = [
        Row(start, position + FIRST_ROW)
        for position, start in enumerate(
            _row_starts(day, zone, *_window(day, zone, opening or DEFAULT_HOURS, moments))
        )
    ]
    columns, blocks = [], []
    free_starts = _free_starts(slots)
    for position, practitioner in enumerate(practitioners):
        free = free_starts.get(practitioner.pk, set())
        column = Column(practitioner, position + FIRST_COLUMN)
        column.time_off = [
            time_off_label(entry, day, zone) for entry in (time_off or {}).get(practitioner.pk, [])
        ]
        column.cells = [
            Cell(
                row.start,
                _state(row.start, free, opening),
                row.grid_row,
                column.index,
                practitioner,
            )
            for row in rows
        ]
        columns.append(column)
        placed = (
            _block(appointment, rows, column.index)
            for appointment in appointments
            if appointment.practitioner_id == practitioner.pk
        )
        blocks.extend(block for block in placed if block)
    return Board(day, zone, rows, columns, blocks, closed_reason)
