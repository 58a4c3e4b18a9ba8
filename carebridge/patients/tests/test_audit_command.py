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
from carebridge.patients.services import patient_create, patient_merge

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


def _registered(organization, mrn: str):
    born = datetime.date(1975, 8, 9)
    fields = {"given_name": "Ines", "family_name": "Duarte", "birth_date": born, "mrn": mrn}
    return patient_create(organization=organization, actor=None, fields=fields)


def test_history_of_a_record_includes_the_records_merged_into_it(
    patient_read_from_desk, org_a, coordinator_a
):
    kept = patient_read_from_desk
    first, second = _registered(org_a, "A-0998"), _registered(org_a, "A-0999")
    access_patient(organization=org_a, actor=coordinator_a, public_id=first.public_id)
    patient_merge(duplicate=first, keep=second, actor=coordinator_a)
    patient_merge(duplicate=second, keep=kept, actor=coordinator_a)

    def records(identifier: str) -> set[str]:
        output = run_audit("--org", "clinic-a", "--patient", identifier, "--format", "json")
        return {row["patient"] for row in json.loads(output)}

    ids = {patient.mrn: str(patient.public_id) for patient in (kept, first, second)}
    assert records("A-1001") == set(ids.values())
    assert records(ids["A-0999"]) == {ids["A-0999"], ids["A-0998"]}
    assert records("A-0998") == {ids["A-0998"]}
    by_desk = run_audit(
        "--org", "clinic-a", "--patient", "A-1001", "--user", "coord-a", "--format", "json"
    )  # fmt: skip
    reads = {row["patient"] for row in json.loads(by_desk) if row["action"] == "read"}
    assert reads == {ids["A-1001"], ids["A-0998"]}
    table = run_audit("--org", "clinic-a", "--patient", "A-1001").splitlines()
    assert table[0] == (
        "With the history of the records merged into this one:"
        f" A-0999 ({ids['A-0999']}), A-0998 ({ids['A-0998']})"
    )
    assert table[1].split() == ["#", "When", "Who", "What", "Outcome", "From"]


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
