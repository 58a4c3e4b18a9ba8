"""The base of every `access_*` selector: one object of one organization, or NotFound."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Field, Model, QuerySet
from django.db.models.expressions import Col

from carebridge.core.db import quoted_column
from carebridge.core.errors import NotFound

M = TypeVar("M", bound=Model)


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
    sql, columns = _each_sql(connection.vendor, models)
    try:
        parameters = [
            value
            for model, public_id in wanted.values()
            for value in (_public_id_param(model, public_id), organization.pk)
        ]
    except (ValueError, ValidationError):
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip(wanted, columns.instances(row), strict=True))


def _public_id_param(model: type[Model], public_id: uuid.UUID | str):
    return model._meta.get_field("public_id").get_db_prep_value(public_id, connection)


@dataclass(frozen=True)
class SideBySide:
    """Every concrete column of several models, selected side by side from tables aliased
    t0, t1, ...: for statements written out on hot paths that still hand back model
    instances, loaded as the ORM would load them."""

    models: tuple[type[Model], ...]

    @functools.cached_property
    def fields(self) -> list[list[Field]]:
        return [list(model._meta.concrete_fields) for model in self.models]

    @property
    def select(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(
            f"t{index}.{quote(field.column)}"
            for index, fields in enumerate(self.fields)
            for field in fields
        )

    def instances(self, row) -> list[Model]:
        found, offset = [], 0
        for model, fields in zip(self.models, self.fields, strict=True):
            values = row[offset : offset + len(fields)]
            offset += len(fields)
            names = [field.attname for field in fields]
            found.append(model.from_db(connection.alias, names, as_loaded(fields, values)))
        return found


def as_loaded(fields: list[Field], values) -> list:
    """Column values as the ORM would load them (e.g. SQLite's text into dates and UUIDs)."""
    loaded = []
    for field, value in zip(fields, values, strict=True):
        column, converters = _converters(connection.vendor, field)
        for convert in converters:
            value = convert(value, column, connection)
        loaded.append(value)
    return loaded


@functools.cache
def _converters(vendor: str, field: Field) -> tuple[Col, list]:
    """What the ORM runs on a column of the field as it comes from this kind of database
    (on PostgreSQL most columns need nothing)."""
    column = Col("t", field)
    return column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)


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
