"""Patients over the JSON API: search, read, register and change demographics; merge a
duplicate record into another, and undo that merge."""

from __future__ import annotations

import datetime
import uuid

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import Field, ModelSchema, Query, Router, Status

from carebridge.accounts.api_auth import actor, organization, require
from carebridge.core.api_errors import referenced
from carebridge.core.api_schemas import Input, Page, Paging, PublicIdOut, page_of, problems
from carebridge.patients.constants import ContactChannel, Sex
from carebridge.patients.models import Patient
from carebridge.patients.selectors import PatientQuery, access_patient, patient_search
from carebridge.patients.services import (
    EDITABLE_FIELDS,
    patient_create,
    patient_merge,
    patient_unmerge,
    patient_update,
)

router = Router(tags=["patients"])


class PatientRef(PublicIdOut):
    mrn: str
    display_name: str


class PatientOut(ModelSchema, PublicIdOut):
    display_name: str
    merged_into: PatientRef | None = Field(
        None, description="The record this one was merged into, while the merge stands"
    )

    class Meta:
        model = Patient
        fields = [*EDITABLE_FIELDS, "version"]


class PatientDetails(Input):
    """Fields a client may send on create and update; only the ones sent are applied."""

    mrn: str = Field("", max_length=40, description="Assigned by the clinic when left empty")
    middle_name: str = Field("", max_length=100)
    sex: Sex = Sex.UNKNOWN
    phone_mobile: str = Field("", max_length=30, description="Any format; stored as E.164")
    phone_home: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    address_line: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=50)
    postal_code: str = Field("", max_length=20)
    country: str = Field("US", min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    preferred_language: str = Field("en", min_length=2, max_length=20, description="BCP 47")
    preferred_channel: ContactChannel = ContactChannel.SMS
    consent_sms: bool = False
    consent_email: bool = False
    consent_phone: bool = True
    emergency_contact_name: str = Field("", max_length=200)
    emergency_contact_phone: str = Field("", max_length=30)
    emergency_contact_relationship: str = Field("", max_length=50)


class PatientCreateIn(PatientDetails):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    birth_date: datetime.date


class PatientUpdateIn(PatientDetails):
    version: int = Field(ge=1, description="The version the change is based on (from a read)")
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    birth_date: datetime.date | None = None
    active: bool | None = None


class MergeIn(Input):
    duplicate: uuid.UUID = Field(description="The record merged away into this one")
    reason: str = Field("", max_length=200)


class UnmergeIn(Input):
    reason: str = Field("", max_length=200)


class PatientSearch(Paging):
    q: str = Field("", max_length=200, description="Free text: names, MRN, phone or birth date")
    name: str = Field("", max_length=200, description="Name prefixes, every word must match")
    birth_date: datetime.date | None = None
    phone: str = Field("", max_length=30)
    mrn: str = Field("", max_length=40)


@router.get("", response={200: Page[PatientOut], **problems()})
def search_patients(request: HttpRequest, search: Query[PatientSearch]):
    """Patients of the clinic matching every given criterion, in name order."""
    require(request, "patients.view_patient")
    query = PatientQuery(
        text=search.q,
        name=search.name,
        birth_date=search.birth_date,
        phone=search.phone,
        mrn=search.mrn,
    )
    patients, total = patient_search(
        organization=organization(request),
        actor=actor(request),
        query=query,
        limit=search.limit,
        offset=search.offset,
        with_total=True,
    )
    # the records merged ones went into, in one query (none when no record is merged)
    prefetch_related_objects(patients, "merged_into")
    return page_of(patients, total, search)


@router.get("/{patient_id}", response={200: PatientOut, **problems(404)})
def read_patient(request: HttpRequest, patient_id: uuid.UUID):
    require(request, "patients.view_patient")
    return access_patient(
        organization=organization(request), actor=actor(request), public_id=patient_id
    )


@router.post("", response={201: PatientOut, **problems(409)})
def create_patient(request: HttpRequest, payload: PatientCreateIn):
    """Register a patient; an MRN already used in the clinic is a 409."""
    require(request, "patients.add_patient")
    patient = patient_create(
        organization=organization(request),
        actor=actor(request),
        fields=payload.model_dump(exclude_unset=True),
    )
    return Status(201, patient)


@router.patch("/{patient_id}", response={200: PatientOut, **problems(404, 409, 412)})
def update_patient(request: HttpRequest, patient_id: uuid.UUID, payload: PatientUpdateIn):
    """Change the fields sent; a `version` older than the record's is a 412."""
    require(request, "patients.change_patient")
    patient = access_patient(
        organization=organization(request), actor=actor(request), public_id=patient_id
    )
    fields = payload.model_dump(exclude_unset=True, exclude={"version"})
    return patient_update(
        patient=patient, actor=actor(request), fields=fields, expected_version=payload.version
    )


@router.post("/{patient_id}/merge", response={200: PatientOut, **problems(404, 409)})
def merge_patient(request: HttpRequest, patient_id: uuid.UUID, payload: MergeIn):
    """Merge the `duplicate` record into this one (the same person registered twice): its
    visits, waitlist entries, messages and identifiers move here, blanks here are filled from
    it, and it stays, inactive, pointing here. Answers the kept record. Two visits at once or
    a record already merged are a 409."""
    require(request, "patients.change_patient")
    keep = access_patient(
        organization=organization(request), actor=actor(request), public_id=patient_id
    )
    duplicate = referenced(
        "duplicate",
        lambda: access_patient(
            organization=organization(request), actor=actor(request), public_id=payload.duplicate
        ),
    )
    return patient_merge(
        duplicate=duplicate, keep=keep, actor=actor(request), reason=payload.reason
    )


@router.post("/{patient_id}/unmerge", response={200: PatientOut, **problems(404, 409)})
def unmerge_patient(request: HttpRequest, patient_id: uuid.UUID, payload: UnmergeIn):
    """Undo the merge of this record (two people taken for one): what the merge moved goes
    back, blanks it filled on the kept record are blank again unless changed since, and this
    record stands on its own. Answers this record. A record not merged is a 409."""
    require(request, "patients.change_patient")
    duplicate = access_patient(
        organization=organization(request), actor=actor(request), public_id=patient_id
    )
    return patient_unmerge(duplicate=duplicate, actor=actor(request), reason=payload.reason)
