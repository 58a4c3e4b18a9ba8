"""Every resource type the facade serves; the CapabilityStatement is built from this."""

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
