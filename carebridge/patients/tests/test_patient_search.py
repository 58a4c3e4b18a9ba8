import datetime
import importlib

from django.apps import apps as django_apps

from carebridge.audit.models import AuditEntry
from carebridge.core.selectors import NameMatch
from carebridge.patients.models import Patient
from carebridge.patients.selectors import PatientQuery, patient_search
from carebridge.patients.services import identifier_add, patient_create

fold_middle_names = importlib.import_module(
    "carebridge.patients.migrations.0006_search_middle"
).fold_middle_names


def search(org, **query):
    return patient_search(
        organization=org, actor=None, query=PatientQuery(**query), with_total=True
    )


def make(org, given, family, **fields):
    return patient_create(
        organization=org,
        actor=None,
        fields={
            "given_name": given,
            "family_name": family,
            "birth_date": datetime.date(1980, 1, 1),
            **fields,
        },
    )


def test_text_matches_name_prefixes_without_case_or_accents(org_a, patient_a):
    make(org_a, "Joséphine", "Alvarado")
    make(org_a, "Mark", "Johnson")
    patients, total = search(org_a, text="alv jo")
    assert {p.family_name for p in patients} == {"Álvarez", "Alvarado"} and total == 2
    assert [p.family_name for p in search(org_a, text="ÁLVAREZ")[0]] == ["Álvarez"]


def test_text_matches_birth_date_phone_and_mrn(org_a, patient_a):
    make(org_a, "Ann", "Lee", birth_date=datetime.date(1980, 5, 17), phone_mobile="+13125550199")
    assert {p.family_name for p in search(org_a, text="1980-05-17")[0]} == {"Álvarez", "Lee"}
    assert [p.family_name for p in search(org_a, text="05/17/1980 lee")[0]] == ["Lee"]
    assert [p.family_name for p in search(org_a, text="(617) 555-01")[0]] == ["Álvarez"]
    assert [p.family_name for p in search(org_a, text="+1 617 555 0101")[0]] == ["Álvarez"]
    assert [p.family_name for p in search(org_a, text="a-1001")[0]] == ["Álvarez"]


def test_identifier_search_finds_the_holder(org_a, patient_a):
    identifier_add(patient=patient_a, system="urn:synthea", value="abc-1")
    assert search(org_a, identifier_value="abc-1")[0] == [patient_a]
    assert search(org_a, identifier_system="urn:other", identifier_value="abc-1")[0] == []


def test_other_organizations_patients_never_appear(org_b, patient_a, patient_b):
    assert search(org_b, text="alvarez") == ([], 0)


def test_each_result_is_audited_as_a_query(org_a, coordinator_a, patient_a):
    patient_search(organization=org_a, actor=coordinator_a, query=PatientQuery(text="jos"))
    entry = AuditEntry.objects.get(action="query")
    assert entry.patient_ref == str(patient_a.public_id) and entry.actor == coordinator_a


def test_punctuation_alone_does_not_break_the_search(org_a, patient_a):
    assert search(org_a, text="() -")[0] == []
    assert search(org_a, text="")[1] == 1


def test_names_of_several_words_are_found_as_typed(org_a):
    make(org_a, "Uriel", "de la Torre")
    make(org_a, "María Elena", "Tafoya")
    make(org_a, "Ruben", "Florez")
    make(org_a, "Mark", "Torres")
    for typed, family in [
        ("de la Torre", "de la Torre"),
        ("Uriel de la Torre", "de la Torre"),
        ("de la torre uriel", "de la Torre"),
        ("Maria Elena", "Tafoya"),
        ("Maria Elena Tafoya", "Tafoya"),
        ("Tafoya Maria", "Tafoya"),
        ("Florez, Ruben", "Florez"),
        ("Mark Torr", "Torres"),
        ("torr mar", "Torres"),
    ]:
        assert [p.family_name for p in search(org_a, text=typed)[0]] == [family], typed
    assert search(org_a, text="Elena Uriel")[0] == []
    assert [p.family_name for p in search(org_a, name="uriel de la")[0]] == ["de la Torre"]


def test_a_criterion_that_can_match_nothing_finds_nobody(org_a, patient_a):
    identifier_add(patient=patient_a, system="urn:synthea", value="abc-1")
    assert search(org_a, phone="abc") == ([], 0)
    assert search(org_a, phone="---") == ([], 0)
    assert search(org_a, identifier_system="urn:other") == ([], 0)
    assert search(org_a, identifier_system="urn:synthea")[0] == [patient_a]


def test_middle_names_are_searched_like_given_names(org_a):
    make(org_a, "Zora", "Lind", middle_name="Quillá Ann")
    make(org_a, "Quinn", "Ode")

    def families(**query) -> list[str]:
        return [patient.family_name for patient in search(org_a, **query)[0]]

    assert families(text="quilla") == ["Lind"]
    assert families(text="zora quil") == ["Lind"]
    assert families(given="QUILL") == ["Lind"]
    assert families(given="qui") == ["Lind", "Ode"]
    assert families(name="quilla lind") == ["Lind"]
    assert families(given="illa", name_match=NameMatch.CONTAINS) == ["Lind"]
    assert families(name="Quillá Ann", name_match=NameMatch.EXACT) == ["Lind"]
    assert families(given="Quilla Ann", name_match=NameMatch.EXACT) == []


def test_migration_folds_the_middle_names_already_kept(org_a):
    patient = make(org_a, "Zora", "Lind", middle_name="Quillá")
    Patient.objects.filter(pk=patient.pk).update(search_middle="")

    fold_middle_names(django_apps, None)

    patient.refresh_from_db()
    assert patient.search_middle == "quilla"
