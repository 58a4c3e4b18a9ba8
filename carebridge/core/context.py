"""Who is acting and from where, for the length of one request or command."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    client_address: str = ""
    token_id: int | None = None


_current: ContextVar[RequestContext | None] = ContextVar("carebridge_request", default=None)


def current() -> RequestContext:
    """The context of the running request, or a fresh one for commands and tasks."""
    context = _current.get()
    if context is None:
        context = RequestContext()
        _current.set(context)
    return context


def set_current(context: RequestContext | None) -> object:
    return _current.set(context)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def bind_token(token_id: int) -> None:
    """Called by token authentication so audit entries name the token used."""
    context = current()
    _current.set(RequestContext(context.request_id, context.client_address, token_id))
