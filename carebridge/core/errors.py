"""Domain errors with stable codes; every way in translates them to its own format."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; `code` is stable, `field` names the input at fault."""

    code = "invalid"
    http_status = 422

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field

    @property
    def reason(self) -> str:
        """The message without the field it names in front ("mrn: taken" -> "taken"), for a
        page that shows it beside that field or names the field its own way."""
        return self.message.removeprefix(f"{self.field}: ") if self.field else self.message

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "message": self.message}


class InvalidInput(DomainError):
    """The request itself is malformed or a value is out of range."""

    code = "invalid"
    http_status = 400


class InvalidFields(InvalidInput):
    """Several inputs are wrong at once. The first stands for them all where one error is
    reported; a form shows each next to its field, and the JSON API lists them all."""

    def __init__(self, problems: list[InvalidInput]):
        first = problems[0]
        super().__init__(first.message, code=first.code, field=first.field)
        self.problems = problems


def raise_all(problems: list[InvalidInput]) -> None:
    """Raise nothing, the one problem, or every problem at once."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidFields(problems)


class NotFound(DomainError):
    """Missing, or belonging to another organization: the two look the same on purpose."""

    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    """The change collides with the current state (a taken slot, an overlapping visit)."""

    code = "conflict"
    http_status = 409


class StaleVersion(DomainError):
    """Someone else changed the record since the caller read it."""

    code = "stale_version"
    http_status = 412


class UnsupportedMediaType(DomainError):
    """The body is in a format this endpoint does not read (XML, a form, plain text)."""

    code = "unsupported_media_type"
    http_status = 415


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403
