"""`carebridge audit --patient/--user`: who touched a record, when, how and from where."""

import csv
import datetime
import io
import json
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from carebridge.core import context
from carebridge.patients.selectors import access_patient
from carebridge.patients.services import patient_create

BOSTON = zoneinfo.ZoneInfo("America/New_York")


def run_audit(*args: str) -> str:
    out = io.StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def patient_read_from_desk(org_a, coordinator_a):
    """The patient is registered on 2 March and read by the coordinator on 3 March at 10:15."""
    with time_machine.travel(datetime.datetime(2026, 3, 2, 16, 0, tzinfo=BOSTON)):
        patient = patient_create(
            organization=org_a,
            actor=None,
            fields={
                "given_name": "Ines",
                "family_name": "Duarte",
                "birth_date": datetime.date(1975, 8, 9),
                "mrn": "A-1001",
            },
        )
    token = context.set_current(context.RequestContext(client_address="10.20.0.7"))
    try:
        with time_machine.travel(datetime.datetime(2026, 3, 3, 10, 15, tzinfo=BOSTON)):
            access_patient(organization=org_a, actor=coordinator_a, public_id=patient.public_id)
    finally:
        context.reset(token)
    return patient


def test_table_names_who_what_when_outcome_and_where(patient_read_from_desk):
    patient = patient_read_from_desk

    output = run_audit("--org", "clinic-a", "--patient", "A-1001")

    lines = output.splitlines()
    assert lines[0].split() == ["#", "When", "Who", "What", "Outcome", "From"]
    read_line = next(line for line in lines if "coord-a" in line)
    assert "2026-03-03 10:15:00-05:00" in read_line
    assert f"read Patient {patient.public_id}" in read_line
    assert "allowed" in read_line
    assert "10.20.0.7" in read_line
    assert any(f"create Patient {patient.public_id}" in line for line in lines)


def test_patient_found_by_public_id_as_well_as_mrn(patient_read_from_desk):
    by_mrn = run_audit("--org", "clinic-a", "--patient", "A-1001", "--format", "json")
    by_id = run_audit(
        "--org", "clinic-a", "--patient", str(patient_read_from_desk.public_id), "--format", "json"
    )

    assert by_mrn == by_id
    assert [row["action"] for row in json.loads(by_id)] == ["create", "read"]


def test_csv_has_a_header_and_one_row_per_entry(patient_read_from_desk):
    output = run_audit("--org", "clinic-a", "--patient", "A-1001", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(output)))
    assert [(row["who"], row["action"]) for row in rows] == [
        ("system", "create"),
        ("coord-a", "read"),
    ]
    assert rows[1]["from"] == "10.20.0.7"


def test_user_and_date_filters(patient_read_from_desk):
    def actions(*filters: str) -> list[str]:
        output = run_audit("--org", "clinic-a", "--format", "json", *filters)
        return [row["who"] + ":" + row["action"] for row in json.loads(output)]

    assert actions("--user", "coord-a") == ["coord-a:read"]
    assert actions("--patient", "A-1001", "--since", "2026-03-03") == ["coord-a:read"]
    assert actions("--patient", "A-1001", "--until", "2026-03-03") == [
        "system:create",
        "coord-a:read",
    ]
    assert actions("--patient", "A-1001", "--until", "2026-03-03T10:15") == ["system:create"]


def test_another_clinics_patient_is_not_found(patient_read_from_desk, org_b):
    for identifier in ["A-1001", str(patient_read_from_desk.public_id)]:
        with pytest.raises(CommandError, match="patient: no patient"):
            run_audit("--org", "clinic-b", "--patient", identifier)


def test_bad_input_names_the_argument(org_a):
    with pytest.raises(CommandError, match="org: no clinic with slug 'nowhere'"):
        run_audit("--org", "nowhere", "--user", "coord-a")
    with pytest.raises(CommandError, match="patient: give --patient"):
        run_audit("--org", "clinic-a")
    with pytest.raises(CommandError, match="since: 'last week' is not a date"):
        run_audit("--org", "clinic-a", "--user", "coord-a", "--since", "last week")
