"""What selectors share: the base of every `access_*` selector (one object of one
organization, or NotFound), conditions of searches that offer alternatives, and the loading
of statements written out."""

from __future__ import annotations

import enum
import functools
import operator
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, Q, QuerySet
from django.db.models.expressions import Col

from carebridge.core.db import quoted_column
from carebridge.core.errors import NotFound

M = TypeVar("M", bound=Model)


class NameMatch(enum.StrEnum):
    """How a searched name matches the names of a person or a place."""

    # Patients' names are matched without accents as well (they are stored folded).
    START = "start"  # each word starts a name, in any case (as typed at the desk)
    EXACT = "exact"  # the whole name as written: case and accents count
    CONTAINS = "contains"  # anywhere in the name, in any case


# Holds for no row: what a criterion with nothing in it that could match becomes, where
# leaving it out would match every row.
NOTHING = Q(pk__in=[])


def get_in_organization(queryset: QuerySet[M], organization, public_id: uuid.UUID | str) -> M:
    """The object with this public id in the organization; another organization's object,
    a malformed id and a missing one all raise the same NotFound."""
    try:
        return queryset.get(organization=organization, public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as error:
        raise NotFound(f"{queryset.model._meta.verbose_name} not found") from error


def get_each_in_organization(
    organization, wanted: dict[str, tuple[type[Model], uuid.UUID | str]]
) -> dict[str, Model] | None:
    """Several objects of the organization, each named by model and public id, read in one
    statement (a write such as a booking names four). None when any of them is missing,
    malformed or another organization's: the caller then looks them up one at a time,
    which says which one, as `get_in_organization` does."""
    models = tuple(model for model, _ in wanted.values())
    database = connections[DEFAULT_DB_ALIAS]
    sql, columns = _each_sql(database.vendor, models)
    try:
        parameters = [
            value
            for model, public_id in wanted.values()
            for value in (_public_id_param(model, public_id, database), organization.pk)
        ]
    except (ValueError, ValidationError):
        return None
    with database.cursor() as cursor:
        cursor.execute(sql, parameters)
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip(wanted, columns.instances(row), strict=True))


def one_of_each(groups: Iterable[Iterable[Q]]) -> Q:
    """The condition that one alternative of every group holds: how a search says "this or
    that" inside a group and "and also" between groups. A group with no alternative holds
    for nothing."""
    condition = Q()
    for group in groups:
        condition &= _any_of(list(group))
    return condition


def _any_of(alternatives: list[Q]) -> Q:
    if not alternatives:
        return NOTHING
    # A Q without a condition holds for every row, and Q's `|` would drop it.
    if not all(alternatives):
        return Q()
    return functools.reduce(operator.or_, alternatives)


def _public_id_param(model: type[Model], public_id: uuid.UUID | str, database: BaseDatabaseWrapper):
    return model._meta.get_field("public_id").get_db_prep_value(public_id, database)


class RowLoader:
    """Turns a row of a statement written out into the values the ORM would load for each
    of `fields` (e.g. SQLite's text into dates and UUIDs; on PostgreSQL most columns need
    nothing). Build one per statement and keep it: finding a field's converters costs more
    than running them, and hot paths load rows on every request."""

    def __init__(self, fields: Sequence[Field]) -> None:
        self.fields = tuple(fields)
        self.attnames = [field.attname for field in self.fields]
        self._steps: dict[str, list[tuple[int, Col, list]]] = {}

    def __call__(self, values: Sequence, database: BaseDatabaseWrapper | None = None) -> list:
        """`database`: the default connection, when the caller has it at hand (looking it
        up costs more than loading most rows)."""
        if database is None:
            database = connections[DEFAULT_DB_ALIAS]
        steps = self._steps.get(database.vendor)
        if steps is None:
            steps = self._steps[database.vendor] = self._plan(database)
        loaded = list(values)
        for index, column, converters in steps:
            value = loaded[index]
            for convert in converters:
                value = convert(value, column, database)
            loaded[index] = value
        return loaded

    def _plan(self, database) -> list[tuple[int, Col, list]]:
        """(position, column, converters) of each field that has converters."""
        steps = []
        for index, field in enumerate(self.fields):
            column = Col("t", field)
            converters = database.ops.get_db_converters(column) + column.get_db_converters(database)
            if converters:
                steps.append((index, column, converters))
        return steps


@dataclass(frozen=True)
class SideBySide:
    """Every concrete column of several models, selected side by side from tables aliased
    t0, t1, ...: for statements written out on hot paths that still hand back model
    instances, loaded as the ORM would load them."""

    models: tuple[type[Model], ...]

    @functools.cached_property
    def loaders(self) -> list[RowLoader]:
        return [RowLoader(model._meta.concrete_fields) for model in self.models]

    @property
    def select(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(
            f"t{index}.{quote(field.column)}"
            for index, loader in enumerate(self.loaders)
            for field in loader.fields
        )

    def instances(self, row: Sequence) -> list[Model]:
        found, offset = [], 0
        database = connections[DEFAULT_DB_ALIAS]
        for model, loader in zip(self.models, self.loaders, strict=True):
            values = row[offset : offset + len(loader.fields)]
            offset += len(loader.fields)
            loaded = loader(values, database)
            found.append(model.from_db(DEFAULT_DB_ALIAS, loader.attnames, loaded))
        return found


@functools.cache
def _each_sql(vendor: str, models: tuple[type[Model], ...]) -> tuple[str, SideBySide]:
    """SELECT every concrete column of each model FROM all of them, one row per public id."""
    quote = connection.ops.quote_name
    columns = SideBySide(models)
    tables, conditions = [], []
    for index, model in enumerate(models):
        meta, alias = model._meta, f"t{index}"
        tables.append(f"{quote(meta.db_table)} {alias}")
        conditions += [
            f"{alias}.{quoted_column(meta, 'public_id')} = %s",
            f"{alias}.{quoted_column(meta, 'organization')} = %s",
        ]
    sql = f"SELECT {columns.select} FROM {', '.join(tables)} WHERE {' AND '.join(conditions)}"  # noqa: S608
    return sql, columns
