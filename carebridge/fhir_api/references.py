"""References as search parameters carry them: "Patient/<id>", absolute URLs or bare ids."""

from __future__ import annotations

from carebridge.core.errors import InvalidInput


def split_reference(value: str) -> tuple[str, str]:
    """(resource type, id) of "Patient/<id>", ".../Patient/<id>/_history/2" or a bare id."""
    parts = value.strip().rstrip("/").split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) == 1:
        return "", parts[0]
    return parts[-2], parts[-1]


def reference_id(value: str, resource_type: str, *, field: str) -> str:
    """The id a reference points at; a reference to another resource type is refused."""
    kind, resource_id = split_reference(value)
    if not resource_id or kind not in ("", resource_type):
        raise InvalidInput(
            f"{field}: expected a reference to {resource_type}, got {value!r}", field=field
        )
    return resource_id
