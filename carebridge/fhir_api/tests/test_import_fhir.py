import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from carebridge.audit.models import AuditEntry
from carebridge.audit.services import audit_verify
from carebridge.directory.models import Location, Practitioner, PractitionerRole
from carebridge.fhir_api.importing import FhirImport
from carebridge.fhir_api.resources import TIMEZONE_EXTENSION
from carebridge.fhir_api.resources.patient import to_fhir_patient
from carebridge.patients.models import Patient, PatientIdentifier

FIXTURES = Path(__file__).parent / "fixtures"
SYNTHEA = Path("/work/shared/data/synthea/100-patients")


def run_import(slug: str, *paths: Path) -> tuple[str, str]:
    """stdout and stderr of `carebridge import_fhir`; bad lines make it raise CommandError."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_fhir", "--org", slug, *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts_line(output: str, resource_type: str) -> str:
    return next(line.strip() for line in output.splitlines() if f" {resource_type}:" in line)


def test_bundle_references_resolve_whatever_the_entry_order(org_a):
    output, errors = run_import("clinic-a", FIXTURES / "bundle.json")

    assert errors == ""
    assert counts_line(output, "PractitionerRole") == (
        "PractitionerRole: 1 created, 0 updated, 0 skipped, 0 failed"
    )
    role = PractitionerRole.objects.select_related("practitioner", "location", "specialty").get(
        practitioner__npi="1234567893"
    )
    assert role.organization == org_a
    assert role.location.name == "North Clinic"
    assert role.specialty.code == "207Q00000X"
    assert list(role.practitioner.specialties.all()) == [role.specialty]
    assert sorted(language.code for language in role.practitioner.languages.all()) == ["en", "es"]
    assert "Encounter: 1 not imported (unsupported type)" in output


def test_location_without_a_zone_gets_the_clinics(org_a):
    run_import("clinic-a", FIXTURES / "bundle.json")

    location = Location.objects.get(organization=org_a, identifier="urn:example:site|north")
    assert location.timezone == org_a.timezone
    assert [(row.weekday, row.opens) for row in location.opening_hours.all()] == [
        (day, datetime.time(8)) for day in range(5)
    ]


def test_outside_organizations_are_not_stored_and_the_clinic_stays_the_tenant(org_a):
    output, _ = run_import("clinic-a", FIXTURES / "directory.ndjson")

    assert counts_line(output, "Organization") == (
        "Organization: 0 created, 0 updated, 1 skipped, 0 failed"
    )
    assert Practitioner.objects.get(npi="9999992198").organization == org_a
    assert Location.objects.get(name="WICHITA FAMILY PRACTICE").organization == org_a


def directory_lines(**role_changes) -> list[dict]:
    """The Synthea-style directory fixture, with changes to its PractitionerRole."""
    lines = [json.loads(line) for line in (FIXTURES / "directory.ndjson").read_text().splitlines()]
    lines[0] |= role_changes
    return lines


def write_ndjson(path: Path, resources: list[dict]) -> Path:
    path.write_text("".join(json.dumps(resource) + "\n" for resource in resources))
    return path


def test_a_role_may_name_the_clinic_itself_as_its_organization(org_a, tmp_path):
    lines = directory_lines(organization={"reference": f"Organization/{org_a.public_id}"})

    output, errors = run_import("clinic-a", write_ndjson(tmp_path / "d.ndjson", lines))

    assert errors == ""
    assert "PractitionerRole: 1 created" in output


def test_a_role_naming_an_unknown_organization_is_refused(org_a, tmp_path):
    lines = directory_lines(organization={"reference": "Organization/elsewhere"})

    report = FhirImport(organization=org_a).run([write_ndjson(tmp_path / "d.ndjson", lines)])

    assert [reason for _, reason in report.problems] == [
        "PractitionerRole.organization: Organization/elsewhere is neither in this clinic nor "
        "in this import"
    ]
    assert not PractitionerRole.objects.filter(practitioner__npi="9999992198").exists()


def test_a_role_of_a_practitioner_that_failed_says_so(org_a, tmp_path):
    lines = directory_lines()
    lines[1]["telecom"] = [{"system": "email", "value": "Randy380.Berg strom@example.com"}]

    report = FhirImport(organization=org_a).run([write_ndjson(tmp_path / "d.ndjson", lines)])

    assert [(source.line, reason) for source, reason in report.problems] == [
        (2, "Practitioner.telecom: email: Enter a valid email address."),
        (
            1,
            "PractitionerRole.practitioner: Practitioner?identifier="
            "http://hl7.org/fhir/sid/us-npi|9999992198 could not be imported",
        ),
    ]


def test_a_second_run_creates_nothing(org_a):
    files = [FIXTURES / "bundle.json", FIXTURES / "directory.ndjson", FIXTURES / "patients.ndjson"]
    run_import("clinic-a", *files)
    before = [
        model.objects.count()
        for model in (Location, Practitioner, PractitionerRole, Patient, PatientIdentifier)
    ]

    output, errors = run_import("clinic-a", *files)

    assert errors == ""
    for resource_type, number in [
        ("Location", 2),
        ("Practitioner", 2),
        ("PractitionerRole", 2),
        ("Patient", 4),
    ]:
        assert counts_line(output, resource_type) == (
            f"{resource_type}: 0 created, 0 updated, {number} skipped, 0 failed"
        )
    after = [
        model.objects.count()
        for model in (Location, Practitioner, PractitionerRole, Patient, PatientIdentifier)
    ]
    assert after == before


def test_a_changed_record_is_updated(org_a, tmp_path):
    run_import("clinic-a", FIXTURES / "patients.ndjson")
    lines = (FIXTURES / "patients.ndjson").read_text().splitlines()
    changed = json.loads(lines[1])
    changed["telecom"] = [{"system": "phone", "value": "555-444-0001", "use": "mobile", "rank": 1}]
    changed["identifier"].append({"system": "urn:example:insurer", "value": "NEW-9"})
    lines[1] = json.dumps(changed)
    (tmp_path / "patients.ndjson").write_text("\n".join(lines) + "\n")

    output, _ = run_import("clinic-a", tmp_path / "patients.ndjson")

    assert counts_line(output, "Patient") == "Patient: 0 created, 1 updated, 2 skipped, 0 failed"
    patient = Patient.objects.get(organization=org_a, mrn="P-0002")
    assert (patient.phone_mobile, patient.preferred_channel, patient.version) == (
        "+15554440001",
        "phone",
        2,
    )
    assert patient.identifiers.filter(system="urn:example:insurer", value="NEW-9").exists()


def test_bad_lines_are_reported_and_the_others_imported(org_a):
    with pytest.raises(CommandError) as error:
        run_import("clinic-a", FIXTURES / "bad_lines.ndjson")

    assert str(error.value) == "7 resources could not be imported"
    assert set(Patient.objects.filter(organization=org_a).values_list("mrn", flat=True)) == {
        "BAD-OK-1",
        "BAD-OK-2",
    }


def test_each_bad_line_names_its_file_line_and_reason(org_a):
    report = FhirImport(organization=org_a).run([FIXTURES / "bad_lines.ndjson"])

    problems = {source.line: reason for source, reason in report.problems}
    assert all(source.path.endswith("bad_lines.ndjson") for source, _ in report.problems)
    assert problems[2].startswith("not valid JSON")
    assert problems[3] == "Patient.birthDate: '1990-13-01' is not a calendar date"
    assert problems[5] == "expected a JSON object with a resourceType"
    assert problems[6] == "the resource has no resourceType"
    assert problems[7] == (
        "PractitionerRole.practitioner: Practitioner?identifier="
        "http://hl7.org/fhir/sid/us-npi|9999999999 is neither in this clinic nor in this import"
    )
    assert problems[8] == "Patient.telecom: email: Enter a valid email address."
    assert (
        problems[10]
        == "Patient.identifier: urn:example:insurer|SHARED-1 already belongs to another patient"
    )
    assert sorted(problems) == [2, 3, 5, 6, 7, 8, 10]


def patient_lines() -> list[str]:
    return (FIXTURES / "patients.ndjson").read_text().splitlines()


def imported_mrns(organization) -> set[str]:
    return set(Patient.objects.filter(organization=organization).values_list("mrn", flat=True))


@pytest.mark.parametrize(
    ("entries", "problems"),
    [
        ({"a": 1}, [":2: Bundle.entry: expected a list of entries"]),
        (
            ["x", 5],
            [
                ":2 entry 1: Bundle.entry: expected an object with a resource",
                ":2 entry 2: Bundle.entry: expected an object with a resource",
            ],
        ),
    ],
)
def test_a_bundle_whose_entries_are_not_entries_is_reported(org_a, tmp_path, entries, problems):
    path = tmp_path / "mixed.ndjson"
    bundle = json.dumps({"resourceType": "Bundle", "entry": entries})
    path.write_text("\n".join([patient_lines()[0], bundle, patient_lines()[1]]) + "\n")

    with pytest.raises(CommandError) as error:
        run_import("clinic-a", path)

    assert str(error.value).startswith(f"{len(problems)} resource")
    assert imported_mrns(org_a) == {"P-0001", "P-0002"}
    report = FhirImport(organization=org_a).run([path])
    assert [f"{source}: {reason}" for source, reason in report.problems] == [
        f"{path}{problem}" for problem in problems
    ]


def test_one_bad_line_is_one_resource(org_a, tmp_path):
    path = tmp_path / "one.ndjson"
    path.write_text(patient_lines()[0] + "\n[1]\n")

    with pytest.raises(CommandError) as error:
        run_import("clinic-a", path)

    assert str(error.value) == "1 resource could not be imported"


def test_a_file_not_in_utf8_is_refused_and_the_other_files_imported(org_a, tmp_path):
    latin = tmp_path / "latin.ndjson"
    patient = json.loads(patient_lines()[1])
    patient["name"][0]["family"] = "Muñoz"
    lines = [patient_lines()[0], json.dumps(patient, ensure_ascii=False)]
    latin.write_bytes("\n".join(lines).encode("latin-1"))
    good = tmp_path / "good.ndjson"
    good.write_text(patient_lines()[2] + "\n")

    with pytest.raises(CommandError) as error:
        run_import("clinic-a", latin, good)

    assert str(error.value) == "1 resource could not be imported"
    assert imported_mrns(org_a) == {"P-0003"}
    report = FhirImport(organization=org_a).run([latin])
    assert [f"{source}: {reason}" for source, reason in report.problems] == [
        f"{latin}:2: not UTF-8 text (byte 0xf1); nothing in the file was imported"
    ]


@pytest.mark.parametrize("suffix", [".ndjson", ".json"])
def test_a_byte_order_mark_is_read_past(org_a, tmp_path, suffix):
    path = tmp_path / f"bom{suffix}"
    path.write_text(patient_lines()[0] + "\n", encoding="utf-8-sig")

    _, errors = run_import("clinic-a", path)

    assert errors == ""
    assert imported_mrns(org_a) == {"P-0001"}


def test_an_unsupported_type_says_where_it_first_is(org_a, tmp_path):
    path = tmp_path / "typo.ndjson"
    path.write_text(patient_lines()[0] + '\n{"resourceType": "Patinet"}\n')

    output, _ = run_import("clinic-a", path)

    assert f"Patinet: 1 not imported (unsupported type), first at {path}:2" in output


@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_a_bad_record_in_a_batch_leaves_nothing_behind(org_a, batch_size):
    report = FhirImport(organization=org_a, batch_size=batch_size).run(
        [FIXTURES / "bad_lines.ndjson"]
    )

    assert report.counts["Patient"].created == 2
    assert not Patient.objects.filter(mrn="BAD-EMAIL").exists()
    assert not PatientIdentifier.objects.filter(system="urn:example:bad").exists()


def test_a_record_refused_only_with_its_batch_is_found_by_halving(org_a, tmp_path):
    # The zone is checked once per batch, so only retrying smaller batches finds the bad one.
    sites = [
        {
            "resourceType": "Location",
            "identifier": [{"system": "urn:example:site", "value": f"s{number}"}],
            "name": f"Site {number}",
            "extension": [{"url": TIMEZONE_EXTENSION, "valueCode": zone}],
        }
        for number, zone in enumerate(["America/Denver", "Mars/Olympus", "UTC", "Europe/Oslo"])
    ]

    report = FhirImport(organization=org_a).run([write_ndjson(tmp_path / "s.ndjson", sites)])

    assert [(source.line, reason) for source, reason in report.problems] == [
        (2, "Location.extension: timezone: 'Mars/Olympus' is not an IANA time zone")
    ]
    assert sorted(
        Location.objects.filter(identifier__startswith="urn:example:site|").values_list(
            "name", flat=True
        )
    ) == ["Site 0", "Site 2", "Site 3"]


def test_created_patients_are_audited_in_an_intact_chain(org_a):
    run_import("clinic-a", FIXTURES / "patients.ndjson")

    created = AuditEntry.objects.filter(organization=org_a, action="create", object_type="Patient")
    assert set(created.values_list("patient_ref", flat=True)) == {
        str(public_id)
        for public_id in Patient.objects.filter(organization=org_a).values_list(
            "public_id", flat=True
        )
    }
    assert audit_verify(organization_id=org_a.pk) == []


def test_patients_keep_synthea_details(org_a):
    run_import("clinic-a", FIXTURES / "patients.ndjson")

    first = Patient.objects.get(organization=org_a, mrn="P-0001")
    assert (first.phone_home, first.preferred_language) == ("+15558069773", "ru-RU")
    assert first.identifiers.get().system == "https://github.com/synthetichealth/synthea"
    third = Patient.objects.get(organization=org_a, mrn="P-0003")
    assert (third.emergency_contact_name, third.emergency_contact_relationship) == (
        "Ines Wyman904",
        "mother",
    )


def test_an_exported_patient_imports_into_another_clinic(org_a, org_b, patient_a, tmp_path):
    exported = Patient.objects.select_related("organization").prefetch_related("identifiers")
    resource = to_fhir_patient(exported.get(pk=patient_a.pk))
    (tmp_path / "export.ndjson").write_text(json.dumps(resource) + "\n")

    output_b, _ = run_import("clinic-b", tmp_path / "export.ndjson")
    output_a, _ = run_import("clinic-a", tmp_path / "export.ndjson")

    copy = Patient.objects.get(organization=org_b, mrn="A-1001")
    assert (copy.given_name, copy.phone_mobile, copy.preferred_language) == (
        "José",
        "+16175550101",
        "es",
    )
    assert counts_line(output_b, "Patient") == "Patient: 1 created, 0 updated, 0 skipped, 0 failed"
    assert counts_line(output_a, "Patient") == "Patient: 0 created, 0 updated, 1 skipped, 0 failed"


def test_the_same_files_in_another_clinic_make_separate_records(org_a, org_b):
    run_import("clinic-a", FIXTURES / "directory.ndjson", FIXTURES / "patients.ndjson")
    output, _ = run_import("clinic-b", FIXTURES / "directory.ndjson", FIXTURES / "patients.ndjson")

    assert counts_line(output, "Patient") == "Patient: 3 created, 0 updated, 0 skipped, 0 failed"
    assert Patient.objects.filter(organization=org_a).count() == 3
    assert Patient.objects.filter(organization=org_b).count() == 3
    assert Practitioner.objects.filter(npi="9999992198").count() == 2


def test_unknown_clinic_is_refused(db):
    with pytest.raises(CommandError, match="no clinic with slug 'nowhere'"):
        run_import("nowhere", FIXTURES / "patients.ndjson")


def test_missing_file_is_refused(org_a, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_import("clinic-a", tmp_path / "absent.ndjson")


@pytest.mark.skipif(not SYNTHEA.is_dir(), reason=f"the Synthea sample is not at {SYNTHEA}")
def test_synthea_sample_imports_once(org_a):
    files = sorted(SYNTHEA.glob("*.ndjson"))
    first = FhirImport(organization=org_a).run(files)
    second = FhirImport(organization=org_a).run(files)

    assert first.counts["Patient"].created > 0
    assert first.counts["PractitionerRole"].created > 0
    assert sum(counts.created + counts.updated for counts in second.counts.values()) == 0
    assert [reason for _, reason in second.problems] == [reason for _, reason in first.problems]
