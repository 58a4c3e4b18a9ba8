"""Search parameters: which ones a resource supports, paging, and FHIR's value syntaxes.

FHIR combines criteria one way for every parameter: each time a parameter is given is one
more criterion that a match meets, and a value's comma-separated alternatives are one
criterion that a match meets by matching any of them. A backslash makes the `,`, `$`, `|`
or backslash after it part of the value.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import QueryDict

from carebridge.core.db import LARGEST_OFFSET
from carebridge.core.errors import InvalidInput
from carebridge.core.selectors import NameMatch
from carebridge.core.validation import NUL_CHARACTER, SEARCHABLE_YEARS

DEFAULT_COUNT = 20
MAX_COUNT = 100
PAGING_PARAMS = ("_count", "_offset")
DATE_PREFIXES = ("eq", "ge", "gt", "le", "lt")
# One alternative of a value: up to a comma that no backslash escapes.
ALTERNATIVE = re.compile(r"(?:\\.?|[^\\,])+", re.DOTALL)
# A backslash and the character after it, read as pairs: in `\\,` the first backslash
# escapes the second, not the comma.
ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# The characters a value gives a meaning to, and that a backslash makes plain characters.
SPECIAL = "\\,$|"
# A token's system: up to the first bar that no backslash escapes.
SYSTEM_AND_CODE = re.compile(r"((?:\\.|[^\\|])*)\|(.*)", re.DOTALL)

NOT = "not"
MISSING = "missing"
MISSING_FLAGS = ("true", "false")
# The modifiers of a name parameter and how each matches (none: NameMatch.START).
NAME_MODIFIERS = {"exact": NameMatch.EXACT, "contains": NameMatch.CONTAINS}

T = TypeVar("T")
V = TypeVar("V")


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # FHIR search parameter type: token, string, date, reference
    documentation: str
    codes: tuple[str, ...] = ()  # a token's codes, when it has a fixed set
    system: str = ""  # the code system of those codes
    # Whether a value may list alternatives; a parameter that reads one range cannot.
    alternatives: bool = True
    # The modifiers it takes: `family:exact` is searched as a parameter of its own.
    modifiers: tuple[str, ...] = ()
    # Whether `:missing=true` (no value) and `:missing=false` (a value) may be asked; the
    # resource searches them as a parameter of their own, like the modifiers above.
    can_be_missing: bool = False

    @property
    def all_modifiers(self) -> tuple[str, ...]:
        """Its own modifiers, :not for a token with a fixed set of codes (searched as the
        other codes), and :missing when the value can be missing."""
        return (
            *self.modifiers,
            *((NOT,) if self.codes else ()),
            *((MISSING,) if self.can_be_missing else ()),
        )

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
    """The supported parameters a client sent and the page asked for.

    `values` holds each value as sent (for paging links), `alternatives` each one split into
    its alternatives, unescaped (a token's codes without their system; other tokens keep
    `\\|` and `\\\\` escaped for `split_token`); values with no alternative in them are left
    out of both. A token's `:not` is held in `alternatives` as a group of the codes it does
    not name, under the parameter's own name (a group of none when it names them all).
    """

    values: dict[str, list[str]]
    alternatives: dict[str, tuple[tuple[str, ...], ...]]
    page: Page
    ignored: tuple[str, ...] = ()
    # Codes a parameter does not have: they match nothing, and the Bundle says so.
    unknown_codes: tuple[InvalidInput, ...] = ()

    def criteria(
        self, name: str, parse: Callable[[str], Any] | None = None
    ) -> tuple[tuple[Any, ...], ...]:
        """One group of alternatives for each time the parameter is given: a match meets
        every group, each by one of its alternatives. `parse` reads (or refuses) each one."""
        groups = self.alternatives.get(name, ())
        if parse is None:
            return groups
        return tuple(tuple(map(parse, group)) for group in groups)


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
    alternatives: dict[str, tuple[tuple[str, ...], ...]] = {}
    ignored = []
    unknown_codes: list[InvalidInput] = []
    for name in query:
        if name in PAGING_PARAMS:
            continue
        param = _param_named(params, name)
        if param is None:
            ignored.append(name)
            continue
        if any("\x00" in value for value in query.getlist(name)):
            raise InvalidInput(f"{name}: {NUL_CHARACTER}", field=name)
        given = _given(param, name, query.getlist(name), unknown_codes)
        if not given:
            continue
        values[name] = [value for value, _ in given]
        groups = tuple(group for _, group in given)
        if name == f"{param.name}:{NOT}":
            # None of the codes: one of the others (all of them given: nothing matches).
            name, groups = param.name, tuple(_other_codes(param, group) for group in groups)
        alternatives[name] = alternatives.get(name, ()) + groups
    if strict and ignored:
        raise InvalidInput(
            f"unsupported search parameter(s): {', '.join(ignored)}", field=ignored[0]
        )
    if strict and unknown_codes:
        raise unknown_codes[0]
    return SearchRequest(values, alternatives, _page(query), tuple(ignored), tuple(unknown_codes))


def _param_named(params: Mapping[str, SearchParam], name: str) -> SearchParam | None:
    """The parameter a query name asks for, itself or with one of its modifiers."""
    base, colon, modifier = name.partition(":")
    param = params.get(base)
    if param is None or (colon and modifier not in param.all_modifiers):
        return None
    return param


def _other_codes(param: SearchParam, codes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code for code in param.codes if code not in codes)


def _given(
    param: SearchParam, name: str, values: list[str], unknown: list[InvalidInput]
) -> list[tuple[str, tuple[str, ...]]]:
    """Each value of the query's `name` (the parameter, maybe with a modifier) with its
    alternatives, leaving out values with none."""
    given = [(value, _alternatives(param, name, value, unknown)) for value in values]
    return [(value, group) for value, group in given if group]


def _alternatives(
    param: SearchParam, name: str, value: str, unknown: list[InvalidInput]
) -> tuple[str, ...]:
    """The value's comma-separated alternatives; those of a token with a fixed set of codes
    as plain codes, each code it does not have added to `unknown`."""
    if name == f"{param.name}:{MISSING}":
        return (_missing_flag(name, value),)
    # A token keeps `\|` and `\\` escaped until `split_token` has found the bar before its code.
    kept = "\\|" if param.type == "token" else ""
    pieces = (_unescape(piece, keep=kept) for piece in ALTERNATIVE.findall(value))
    # A blank alternative would match every row and so cancel the others beside it.
    found = tuple(piece for piece in pieces if piece.strip())
    if len(found) > 1 and not param.alternatives:
        raise InvalidInput(
            f"{param.name}: takes one value, not alternatives; repeat it to combine values",
            field=param.name,
        )
    if not param.codes:
        return found
    codes = tuple(map(param.code, found))
    unknown += [
        InvalidInput(f"{name}: {code!r} is not one of {', '.join(param.codes)}", field=name)
        for code in codes
        if code not in param.codes
    ]
    return codes


def _missing_flag(name: str, value: str) -> str:
    flag = value.strip().lower()
    if flag not in MISSING_FLAGS:
        raise InvalidInput(f"{name}: true or false, not {value!r}", field=name)
    return flag


def unknown_code_effect(error: InvalidInput) -> str:
    """What a code the parameter does not have does to the search, for its warning."""
    return "it rules nothing out" if error.field.endswith(f":{NOT}") else "it matches nothing"


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


def query_groups(
    request: SearchRequest, build: Mapping[str, Callable[[str], T | None]]
) -> tuple[tuple[T, ...], ...] | None:
    """The request as a selector query's `one_of_each`: for each time a parameter is given,
    the queries `build[name]` makes of its alternatives. One that can match nothing builds
    None and is left out; None when that leaves a group empty, so nothing can match."""
    groups = tuple(
        tuple(query for query in map(build[name], group) if query is not None)
        for name in build
        for group in request.criteria(name)
    )
    return groups if all(groups) else None


def when_found(
    find: Callable[[str], V | None], make: Callable[[V], T]
) -> Callable[[str], T | None]:
    """A builder for `query_groups`: `make` of what `find` finds in an alternative."""

    def build(value: str) -> T | None:
        found = find(value)
        return None if found is None else make(found)

    return build


def by_public_id(query_type: Callable[..., T]) -> Callable[[str], T | None]:
    """The `_id` builder of a selector query that has `public_ids`."""
    return when_found(public_id_of, lambda public_id: query_type(public_ids=(public_id,)))


def by_date(
    query_type: Callable[..., T], name: str, *, zone: ZoneInfo, bounds: tuple[str, str]
) -> Callable[[str], T]:
    """The builder of a date parameter: the query's `bounds` (from, before) fields hold the
    instants one date value allows."""

    def build(value: str) -> T:
        allowed = start_bounds([value], zone=zone, field=name)
        return query_type(**dict(zip(bounds, allowed, strict=True)))

    return build


def meets_all(groups: Iterable[Iterable[V]], test: Callable[[V], bool]) -> bool:
    """Whether one alternative of every group passes `test`: `criteria` checked in Python."""
    return all(any(map(test, group)) for group in groups)


def public_id_of(value: str) -> uuid.UUID | None:
    """The public id an `_id` or reference names; None when the value can be none."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def is_id(public_id: uuid.UUID, value: str) -> bool:
    return public_id_of(value) == public_id


def name_criteria(
    fields: Iterable[str], build: Callable[[str, NameMatch, str], T]
) -> dict[str, Callable[[str], T]]:
    """The builders of name parameters, as given and with each modifier: `build(field,
    match, value)`."""
    criteria = {}
    for field in fields:
        criteria[field] = partial(build, field, NameMatch.START)
        for modifier, match in NAME_MODIFIERS.items():
            criteria[f"{field}:{modifier}"] = partial(build, field, match)
    return criteria


# The `name` parameter as `id_and_name_match` reads it.
ENTRY_NAME = SearchParam(
    "name",
    "string",
    "Name starts with, in any case; :exact is the whole name as written, :contains part of"
    " it, in any case.",
    modifiers=tuple(NAME_MODIFIERS),
)


def id_and_name_match(request: SearchRequest, public_id: uuid.UUID, name: str) -> bool:
    """`_id` and `name` (the start of the name in any case, or as its modifier says), as a
    directory entry has them."""
    tests = name_criteria(["name"], partial(_name_test, name))
    return meets_all(request.criteria("_id"), partial(is_id, public_id)) and all(
        meets_all(request.criteria(parameter), test) for parameter, test in tests.items()
    )


def _name_test(name: str, field: str, match: NameMatch, value: str) -> bool:
    if match == NameMatch.EXACT:
        return name == value
    if match == NameMatch.CONTAINS:
        return value.casefold() in name.casefold()
    return name.casefold().startswith(value.casefold())


def _unescape(text: str, *, keep: str = "") -> str:
    """`text` with the escaped special characters, except those in `keep`, as themselves;
    a backslash before any other character stays."""

    def read(escape: re.Match) -> str:
        character = escape[1]
        return character if character in SPECIAL and character not in keep else escape[0]

    return ESCAPE.sub(read, text)


def split_token(value: str) -> tuple[str | None, str]:
    """(system, code) of "system|code", split at the first bar no backslash escapes, each
    with its escapes read; the system is None when the client gave none."""
    found = SYSTEM_AND_CODE.fullmatch(value)
    if found is None:
        return None, _unescape(value)
    return _unescape(found[1]), _unescape(found[2])


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
