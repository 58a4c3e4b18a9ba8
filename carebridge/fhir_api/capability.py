"""The CapabilityStatement, built from the handlers so it lists exactly what is supported."""

from __future__ import annotations

from collections.abc import Iterable

from carebridge.core import clock
from carebridge.fhir_api.handler import ResourceHandler
from carebridge.fhir_api.http import FHIR_JSON
from carebridge.fhir_api.search import SearchParam

SEARCH_RULES = (
    "Search parameters combine as FHIR says: a parameter given more than once must match "
    "each time, and a value's comma-separated alternatives match when any of them does "
    "(a backslash before a comma, $, | or backslash makes it part of the value). A "
    "parameter's modifiers are listed with it; :not matches when none of its codes do. A "
    "search may also be posted to [type]/_search as a form."
)
NO_ALTERNATIVES = " One value each time: comma-separated alternatives are refused."


def capability_statement(handlers: Iterable[ResourceHandler], *, base_url: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": clock.now().date().isoformat(),
        "publisher": "CareBridge",
        "kind": "instance",
        "software": {"name": "CareBridge"},
        "implementation": {"description": "CareBridge FHIR R4 facade", "url": base_url},
        "fhirVersion": "4.0.1",
        "format": [FHIR_JSON],
        "rest": [
            {
                "mode": "server",
                "documentation": SEARCH_RULES,
                "security": {
                    "description": "Send an API token as 'Authorization: Bearer <token>'."
                },
                "resource": [_resource(handler) for handler in handlers],
                "searchParam": [
                    {
                        "name": "_count",
                        "type": "number",
                        "documentation": "Page size: default 20, at most 100.",
                    }
                ],
            }
        ],
    }


def _resource(handler: ResourceHandler) -> dict:
    return {
        "type": handler.resource_type,
        "interaction": [{"code": code} for code in handler.interactions],
        "versioning": "versioned-update" if handler.versioned else "no-version",
        "readHistory": False,
        "updateCreate": False,
        "searchParam": [
            {"name": param.name, "type": param.type, "documentation": _documentation(param)}
            for param in handler.search_params
        ],
    }


def _documentation(param: SearchParam) -> str:
    modifiers = ", ".join(f":{modifier}" for modifier in param.all_modifiers)
    return (
        param.documentation
        + ("" if param.alternatives else NO_ALTERNATIVES)
        + (f" Modifiers: {modifiers}." if modifiers else "")
    )
