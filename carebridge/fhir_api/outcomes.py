"""OperationOutcome, and the one translation from a domain error to a FHIR error response."""

from __future__ import annotations

from carebridge.core.errors import DomainError
from carebridge.fhir_api.resources.appointment import APPOINTMENT_ELEMENTS
from carebridge.fhir_api.resources.location import LOCATION_ELEMENTS
from carebridge.fhir_api.resources.patient import PATIENT_ELEMENTS
from carebridge.fhir_api.resources.practitioner import PRACTITIONER_ELEMENTS

ERROR_CODE_SYSTEM = "urn:carebridge:error-code"


class Unauthorized(DomainError):
    """No bearer token, or one that is unknown, revoked or belongs to an inactive user."""

    code = "unauthorized"
    http_status = 401


class MethodNotAllowed(DomainError):
    """The resource exists but does not support this HTTP method."""

    code = "method_not_allowed"
    http_status = 405

    def __init__(self, message: str, *, allowed: tuple[str, ...]):
        super().__init__(message)
        self.allowed = allowed


class ResourceTypeNotSupported(DomainError):
    """A resource type of FHIR R4 that this server does not serve; the issue type says so,
    where a name that is no resource type at all is plainly not found."""

    code = "resource_type_not_supported"
    http_status = 404
    issue_type = "not-supported"


class PayloadTooLarge(DomainError):
    code = "too_large"
    http_status = 413


class ServerFault(DomainError):
    """Something failed inside the server; the details go to the log, not to the client."""

    code = "exception"
    http_status = 500


# FHIR issue-type codes (http://hl7.org/fhir/issue-type) by HTTP status.
ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "business-rule",
    500: "exception",
}


def issue(
    *,
    severity: str,
    code: str,
    diagnostics: str,
    expression: str | None = None,
    error_code: str | None = None,
) -> dict:
    entry: dict = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if error_code:
        entry["details"] = {"coding": [{"system": ERROR_CODE_SYSTEM, "code": error_code}]}
    if expression:
        entry["expression"] = [expression]
    return entry


def operation_outcome(issues: list[dict]) -> dict:
    return {"resourceType": "OperationOutcome", "issue": issues}


# The FHIR element of each service field, by resource type.
_ELEMENTS = {
    "Appointment": APPOINTMENT_ELEMENTS,
    "Location": LOCATION_ELEMENTS,
    "Patient": PATIENT_ELEMENTS,
    "Practitioner": PRACTITIONER_ELEMENTS,
}


def element_name(field: str | None, resource_type: str) -> str | None:
    """Services name their own fields ("birth_date"); FHIR clients expect the element of the
    resource ("Patient.birthDate"). A field the resource has no element for is named under
    the resource type, so the client still sees where it belongs."""
    if not field or "." in field or not resource_type or field[0].isupper():
        return field
    return _ELEMENTS.get(resource_type, {}).get(field) or f"{resource_type}.{field}"


def error_outcome(error: DomainError, *, resource_type: str = "") -> tuple[int, dict]:
    """The HTTP status and OperationOutcome for any domain error: an issue for each of the
    problems when the service found several."""
    status = error.http_status
    body = operation_outcome(
        [
            issue(
                severity="error",
                code=getattr(problem, "issue_type", ISSUE_TYPES.get(status, "processing")),
                diagnostics=problem.message,
                expression=element_name(problem.field, resource_type),
                error_code=problem.code,
            )
            for problem in getattr(error, "problems", [error])
        ]
    )
    return status, body
