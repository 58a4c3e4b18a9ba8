"""Every resource type the facade serves; the CapabilityStatement is built from this."""

from carebridge.core.errors import NotFound
from carebridge.fhir_api.handler import ResourceHandler
from carebridge.fhir_api.interactions import (
    appointment,
    communication,
    communication_request,
    location,
    organization,
    patient,
    practitioner,
    practitioner_role,
    schedule,
    slot,
)
from carebridge.fhir_api.outcomes import ResourceTypeNotSupported
from carebridge.fhir_api.resource_types import R4_RESOURCE_TYPES

HANDLERS: dict[str, ResourceHandler] = {
    module.HANDLER.resource_type: module.HANDLER
    for module in [
        patient,
        practitioner,
        practitioner_role,
        organization,
        location,
        schedule,
        slot,
        appointment,
        communication_request,
        communication,
    ]
}


def handler_for(resource_type: str) -> ResourceHandler:
    """The handler of a resource type the facade serves; a client told only "not found"
    could not tell a type this server lacks from a misspelt one."""
    if resource_type in HANDLERS:
        return HANDLERS[resource_type]
    if resource_type in R4_RESOURCE_TYPES:
        raise ResourceTypeNotSupported(
            f"the resource type {resource_type!r} is not supported by this server"
        )
    raise NotFound(f"{resource_type!r} is not a FHIR resource type", code="unknown_resource_type")
