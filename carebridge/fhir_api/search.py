"""Search parameters: which ones a resource supports, paging, and FHIR's value syntaxes."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import QueryDict

from carebridge.core.db import LARGEST_OFFSET
from carebridge.core.errors import InvalidInput
from carebridge.core.validation import NUL_CHARACTER
from carebridge.scheduling.constants import EARLIEST_VISIT_YEAR

DEFAULT_COUNT = 20
MAX_COUNT = 100
PAGING_PARAMS = ("_count", "_offset")
DATE_PREFIXES = ("eq", "ge", "gt", "le", "lt")
# Years a date search may name: any visit's, and far enough inside what Python's dates hold
# that the searches can look a day to either side.
SEARCHABLE_YEARS = range(EARLIEST_VISIT_YEAR, 3000)


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # FHIR search parameter type: token, string, date, reference
    documentation: str
    codes: tuple[str, ...] = ()  # a token's codes, when it has a fixed set
    system: str = ""  # the code system of those codes

    def code(self, value: str) -> str:
        """The code of one alternative, without the parameter's own system in front."""
        system, code = split_token(value)
        return code if system in (None, self.system) else value


@dataclass(frozen=True)
class Page:
    count: int
    offset: int

    @property
    def end(self) -> int:
        return self.offset + self.count


@dataclass(frozen=True)
class SearchRequest:
    """The supported parameters a client sent (non-empty values only) and the page asked for."""

    values: dict[str, list[str]]
    page: Page
    ignored: tuple[str, ...] = ()
    # Codes a parameter does not have: they match nothing, and the Bundle says so.
    unknown_codes: tuple[InvalidInput, ...] = ()

    def first(self, name: str) -> str:
        return self.values.get(name, [""])[0]

    def every(self, name: str) -> list[str]:
        """Each value given for the parameter: all of them must match."""
        return self.values.get(name, [])

    def any_of(self, name: str) -> list[str]:
        """The comma-separated alternatives of the parameter: one of them must match."""
        return [value for given in self.every(name) for value in given.split(",") if value]


@dataclass(frozen=True)
class SearchResult:
    resources: list[dict]
    total: int | None
    has_next: bool

    @classmethod
    def counted(cls, resources: list[dict], total: int, page: Page) -> SearchResult:
        return cls(resources, total, page.end < total)


def search_request(
    query: QueryDict, supported: Sequence[SearchParam], *, strict: bool
) -> SearchRequest:
    """Split the query into supported parameters and the rest.

    Under `Prefer: handling=strict` an unsupported parameter, or a code a token parameter
    does not have, is an error; otherwise the parameter is ignored, the code matches nothing,
    and the Bundle reports both.
    """
    params = {param.name: param for param in supported}
    values: dict[str, list[str]] = {}
    ignored = []
    unknown_codes: list[InvalidInput] = []
    for name in query:
        if name in PAGING_PARAMS:
            continue
        if name not in params:
            ignored.append(name)
            continue
        given = [value for value in query.getlist(name) if value]
        if any("\x00" in value for value in given):
            raise InvalidInput(f"{name}: {NUL_CHARACTER}", field=name)
        if given and params[name].codes:
            given = [_codes(params[name], value, unknown_codes) for value in given]
        if given:
            values[name] = given
    if strict and ignored:
        raise InvalidInput(
            f"unsupported search parameter(s): {', '.join(ignored)}", field=ignored[0]
        )
    if strict and unknown_codes:
        raise unknown_codes[0]
    return SearchRequest(values, _page(query), tuple(ignored), tuple(unknown_codes))


def _codes(param: SearchParam, value: str, unknown: list[InvalidInput]) -> str:
    """The comma-separated alternatives as plain codes; each one the parameter does not have
    is added to `unknown`."""
    codes = [param.code(alternative) for alternative in value.split(",")]
    unknown += [
        InvalidInput(
            f"{param.name}: {code!r} is not one of {', '.join(param.codes)}", field=param.name
        )
        for code in codes
        if code and code not in param.codes
    ]
    return ",".join(codes)


def _page(query: QueryDict) -> Page:
    count = min(_non_negative(query, "_count", DEFAULT_COUNT), MAX_COUNT)
    offset = _non_negative(query, "_offset", 0)
    if offset > LARGEST_OFFSET:
        raise InvalidInput(f"_offset: at most {LARGEST_OFFSET}, got {offset}", field="_offset")
    return Page(count=count, offset=offset)


def _non_negative(query: QueryDict, name: str, default: int) -> int:
    value = query.get(name, "")
    if not value:
        return default
    # ASCII only: str.isdigit() also takes "²", which int() refuses.
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput(f"{name}: expected a whole number >= 0, got {value!r}", field=name)
    return int(value)


def page_of(items: Sequence | QuerySet, page: Page, render: Callable[[Any], dict]) -> SearchResult:
    """One page of a list, or of a selector's queryset (counted and sliced in the database)."""
    total = items.count() if isinstance(items, QuerySet) else len(items)
    return SearchResult.counted(
        [render(item) for item in items[page.offset : page.end]], total, page
    )


def public_ids(request: SearchRequest) -> tuple[uuid.UUID, ...] | None:
    """The `_id` alternatives that can be ids at all; None when `_id` can match nothing."""
    given = request.any_of("_id")
    ids = []
    for value in given:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    if given and not ids:
        return None
    return tuple(ids)


def split_token(value: str) -> tuple[str | None, str]:
    """(system, code) of "system|code"; the system is None when the client gave none."""
    if "|" not in value:
        return None, value
    system, code = value.split("|", 1)
    return system, code


def start_bounds(
    values: list[str], *, zone: ZoneInfo, field: str
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The [from, before) instants that every date value (with its prefix) allows.

    A value is a range (a day, a month, a second); `ge` keeps instants from its start, `gt`
    from its end, `le` up to its end, `lt` up to its start, `eq` inside it. Values without a
    zone are read in `zone`.
    """
    start_from = start_before = None
    for value in values:
        prefix, low, high = _date_value(value, zone=zone, field=field)
        if prefix in ("eq", "ge"):
            start_from = max(filter(None, [start_from, low]))
        if prefix == "gt":
            start_from = max(filter(None, [start_from, high]))
        if prefix in ("eq", "le"):
            start_before = min(filter(None, [start_before, high]))
        if prefix == "lt":
            start_before = min(filter(None, [start_before, low]))
    return start_from, start_before


def _date_value(
    value: str, *, zone: ZoneInfo, field: str
) -> tuple[str, datetime.datetime, datetime.datetime]:
    prefix, text = (value[:2], value[2:]) if value[:2].isalpha() else ("eq", value)
    if prefix not in DATE_PREFIXES:
        raise InvalidInput(
            f"{field}: the prefix {prefix!r} is not supported (use {', '.join(DATE_PREFIXES)})",
            field=field,
        )
    # A "+" in an unencoded query string arrives as a space.
    text = text.replace(" ", "+")
    if text[:4].isascii() and text[:4].isdigit() and int(text[:4]) not in SEARCHABLE_YEARS:
        first, last = SEARCHABLE_YEARS[0], SEARCHABLE_YEARS[-1]
        raise InvalidInput(
            f"{field}: {value!r} is outside the years {first} to {last} that can be searched",
            field=field,
        )
    try:
        low, high = _instant_range(text, zone)
    except ValueError as error:
        raise InvalidInput(
            f"{field}: {value!r} is not a FHIR date or dateTime", field=field
        ) from error
    return prefix, low, high


def _instant_range(text: str, zone: ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants a FHIR year, month, date or dateTime covers."""
    if len(text) in (4, 7, 10):
        first = datetime.date.fromisoformat(f"{text}-01-01"[:10])
        following = {
            4: first.replace(year=first.year + 1),
            7: (first + datetime.timedelta(days=31)).replace(day=1),
            10: first + datetime.timedelta(days=1),
        }[len(text)]
        return _midnight(first, zone), _midnight(following, zone)
    instant = datetime.datetime.fromisoformat(text)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=zone)
    return instant, instant + datetime.timedelta(seconds=1)


def _midnight(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
