"""Shapes shared by every router of the JSON API: the problem document and result pages."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Generic, TypeVar

from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from carebridge.core.db import LARGEST_OFFSET
from carebridge.core.validation import NUL_CHARACTER

Item = TypeVar("Item")


def _without_offset(value: datetime.time) -> datetime.time:
    if value.tzinfo is not None:
        raise PydanticCustomError(
            "time_with_offset", "a time of day at the location, written without a UTC offset or Z"
        )
    return value


# A wall-clock time at a location (opening hours, a time-of-day window): an offset such as
# "09:00Z" would name an instant, which a time of day on every date cannot be.
LocalTime = Annotated[datetime.time, AfterValidator(_without_offset)]


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """Every error: a stable `code`, the input `field` at fault (if any) and a `message`."""

    code: str
    field: str | None = None
    message: str
    errors: list[FieldProblem] | None = Field(
        None, description="Each invalid field, when the request failed validation"
    )


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """The error answers an operation can give, for its OpenAPI description."""
    return dict.fromkeys((400, 401, 403, *statuses), Problem)


class TextInput(Schema):
    """What a client sends, as a body or as query parameters: no text in it may hold a NUL
    character, which PostgreSQL cannot store or compare (it would fail the request)."""

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul_characters(cls, value: object) -> object:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise PydanticCustomError("nul_character", NUL_CHARACTER)
        return value


class Criteria(TextInput):
    """The query parameters of a search."""


class Input(TextInput):
    """A request body: a field the API does not know is an error, not silently dropped."""

    model_config = {"extra": "forbid"}


class Out(BaseModel):
    """An answer read straight from the object's attributes by pydantic's compiled code; a
    field named otherwise on the object says where to read it (`validation_alias`). An
    answer that must compute a field mixes in ninja's `Schema` and its `resolve_<field>`
    methods (about five times slower to read: every field goes through Python)."""

    model_config = ConfigDict(from_attributes=True)


class PublicIdOut(Out):
    """Objects leave the API under their public UUID, never their database key."""

    id: uuid.UUID = Field(validation_alias="public_id")


class Paging(Criteria):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=LARGEST_OFFSET)


class Page(Schema, Generic[Item]):
    items: list[Item]
    total: int
    limit: int
    offset: int


def page_of(items: list, total: int | None, paging: Paging) -> dict:
    return {
        "items": items,
        "total": len(items) if total is None else total,
        "limit": paging.limit,
        "offset": paging.offset,
    }
