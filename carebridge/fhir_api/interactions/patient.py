"""Patient read, search, create and update; every patient returned went through a selector
(or a service) that wrote it to the audit log."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.db.models import prefetch_related_objects

from carebridge.accounts.models import Organization
from carebridge.core.errors import InvalidInput
from carebridge.core.selectors import NameMatch
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.resources import fhir_date
from carebridge.fhir_api.resources.patient import mrn_system, parse_patient, to_fhir_patient
from carebridge.fhir_api.search import (
    MISSING,
    NAME_MODIFIERS,
    SearchParam,
    SearchRequest,
    SearchResult,
    by_public_id,
    name_criteria,
    query_groups,
    split_token,
)
from carebridge.patients.constants import Sex
from carebridge.patients.models import Patient
from carebridge.patients.selectors import CONTACTS, PatientQuery, access_patient, patient_search
from carebridge.patients.services import identifier_add, patient_create, patient_update


def render(patients: list[Patient]) -> list[dict]:
    # The mapper reads these relations; load them for the whole page in four queries.
    prefetch_related_objects(patients, "identifiers", "organization", "merged_into", "merged_from")
    return [to_fhir_patient(patient) for patient in patients]


def read(caller: Caller, resource_id: str) -> dict:
    patient = access_patient(
        organization=caller.organization, actor=caller.user, public_id=resource_id
    )
    return render([patient])[0]


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    query = _query(request, caller.organization)
    if query is None:
        return SearchResult([], 0, False)
    patients, total = patient_search(
        organization=caller.organization,
        actor=caller.user,
        query=query,
        limit=request.page.count,
        offset=request.page.offset,
        with_total=True,
    )
    return SearchResult.counted(render(patients), total or 0, request.page)


def _query(request: SearchRequest, organization: Organization) -> PatientQuery | None:
    """The selector's query, or None when it can match nothing."""
    groups = query_groups(request, _criteria(organization))
    return None if groups is None else PatientQuery(one_of_each=groups)


def _by_identifier(organization: Organization) -> Callable[[str], PatientQuery]:
    """`system|value`, `value` (any system, the MRN included), `|value` (no system) or
    `system|` (any value in it). The MRN is under the clinic's MRN system alone."""
    clinic_mrns = mrn_system(organization)

    def build(token: str) -> PatientQuery:
        system, value = split_token(token)
        if system == clinic_mrns:
            return PatientQuery(mrn_exact=value)
        return PatientQuery(identifier_system=system, identifier_value=value)

    return build


def _birth_date(value: str) -> datetime.date:
    if value[:2].isalpha() and value[:2] != "eq":
        raise InvalidInput(
            f"birthdate: only an exact date is supported, got {value!r}", field="birthdate"
        )
    return fhir_date(value.removeprefix("eq"), "birthdate")


def _by_name(field: str, match: NameMatch, value: str) -> PatientQuery:
    return PatientQuery(**{field: value}, name_match=match)


def _missing(contact: str) -> Callable[[str], PatientQuery]:
    """`:missing=true`: no such way to reach the patient; `false`: one."""
    return lambda flag: PatientQuery(**{"missing" if flag == "true" else "present": (contact,)})


def _criteria(organization: Organization) -> dict[str, Callable[[str], PatientQuery | None]]:
    """What one alternative of each parameter asks of a patient."""
    return CRITERIA | {"identifier": _by_identifier(organization)}


CRITERIA: dict[str, Callable[[str], PatientQuery | None]] = {
    "_id": by_public_id(PatientQuery),
    **name_criteria(["name", "family", "given"], _by_name),
    "birthdate": lambda birthdate: PatientQuery(birth_date=_birth_date(birthdate)),
    "phone": lambda phone: PatientQuery(phone=phone),
    "email": lambda email: PatientQuery(email=email),
    **{f"{contact}:{MISSING}": _missing(contact) for contact in CONTACTS},
    "gender": lambda gender: PatientQuery(sex=gender),
}


def create(caller: Caller, payload: dict) -> dict:
    data = parse_patient(payload)
    patient = patient_create(
        organization=caller.organization,
        actor=caller.user,
        fields=data.fields,
        identifiers=list(data.identifiers),
    )
    return render([patient])[0]


def update(caller: Caller, resource_id: str, payload: dict, expected_version: int | None) -> dict:
    """Replace the demographics; identifiers the body adds are attached, none are removed."""
    patient = access_patient(
        organization=caller.organization, actor=caller.user, public_id=resource_id
    )
    data = parse_patient(payload)
    known = {(row.system, row.value) for row in patient.identifiers.all()}
    # One request, one outcome: a refused identifier undoes the demographic change too.
    with transaction.atomic():
        patient = patient_update(
            patient=patient,
            actor=caller.user,
            fields=data.fields,
            expected_version=expected_version,
        )
        for system, value in data.identifiers:
            if (system, value) not in known:
                identifier_add(patient=patient, system=system, value=value)
    return render([patient])[0]


HANDLER = ResourceHandler(
    resource_type="Patient",
    read=read,
    search=search,
    create=create,
    update=update,
    create_permission="patients.add_patient",
    update_permission="patients.change_patient",
    versioned=True,
    search_params=(
        SearchParam("_id", "token", "Patient ids."),
        SearchParam("identifier", "token", "system|value or value; the MRN or another id."),
        SearchParam(
            "name",
            "string",
            "Every word starts a given, middle or family name; :exact is a whole one as"
            " written, :contains part of one.",
            modifiers=tuple(NAME_MODIFIERS),
        ),
        SearchParam(
            "family",
            "string",
            "Family name starts with; :exact is the whole name as written, :contains part.",
            modifiers=tuple(NAME_MODIFIERS),
        ),
        SearchParam(
            "given",
            "string",
            "A given or middle name starts with; :exact is a whole one as written, :contains"
            " part of one.",
            modifiers=tuple(NAME_MODIFIERS),
        ),
        SearchParam("birthdate", "date", "Exact birth date, YYYY-MM-DD."),
        SearchParam(
            "phone",
            "token",
            "Phone number (mobile, else home), matched from the area code on.",
            can_be_missing=True,
        ),
        SearchParam("email", "token", "Email address, case-insensitive.", can_be_missing=True),
        SearchParam(
            "gender",
            "token",
            "male, female, other or unknown.",
            codes=tuple(Sex.values),
            system="http://hl7.org/fhir/administrative-gender",
        ),
    ),
)
