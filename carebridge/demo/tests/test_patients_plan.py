import random
from collections import defaultdict

import phonenumbers
import pytest
from phonenumbers import geocoder

from carebridge.demo import people
from carebridge.demo.clinic import SITES, name_faker
from carebridge.demo.people import ELSEWHERE, HOMES, patients_plan
from carebridge.demo.services import DEFAULT_PATIENTS

STATE_NAMES = {"MA": "Massachusetts", "IL": "Illinois"}


def plan(count: int = DEFAULT_PATIENTS, seed: int = 42):
    return patients_plan(count=count, rng=random.Random(seed), faker=name_faker(seed))


def fictional(area_codes) -> set[str]:
    """555-0100 to 555-0199 under each code, but the clinic's own numbers."""
    numbers = {f"+1 {code} 555 01{line:02d}" for code in area_codes for line in range(100)}
    return numbers - {site.phone for site in SITES}


@pytest.fixture(scope="module")
def default_demo():
    return plan()


def test_patients_have_mobiles_of_their_own_but_a_few_children_on_a_parents(default_demo):
    at_number = defaultdict(list)
    for person in default_demo:
        at_number[person.fields["phone_mobile"]].append(person)

    shared = len(default_demo) - len(at_number)
    assert 0.03 < shared / len(default_demo) < 0.1
    for household in (patients for patients in at_number.values() if len(patients) > 1):
        parent, *children = sorted(household, key=lambda person: person.parent is not None)
        assert parent.age >= 18 and parent.parent is None
        assert len(children) <= people.CHILDREN_PER_PARENT
        for child in children:
            assert child.age < 18 and child.parent is parent
            for name in ("family_name", "address_line", "city", "state", "postal_code"):
                assert child.fields[name] == parent.fields[name]


def test_patients_have_a_number_of_their_state_while_it_has_free_ones(default_demo):
    for state, (area_codes, _) in HOMES.items():
        own = [p for p in default_demo if p.parent is None and p.fields["state"] == state]
        local = {p.fields["phone_mobile"] for p in own} & fictional(area_codes)
        assert local
        assert local == fictional(area_codes) or len(local) == len(own)


def test_every_phone_is_a_fictional_one_of_a_real_area_code(default_demo):
    phones = [
        person.fields[name]
        for person in default_demo
        for name in ("phone_mobile", "emergency_contact_phone")
        if person.fields.get(name)
    ]
    pool = fictional(ELSEWHERE + tuple(code for codes, _ in HOMES.values() for code in codes))

    assert set(phones) <= pool
    assert len(pool) > DEFAULT_PATIENTS
    for phone in pool:
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_possible_number(number)  # what patient_create asks for
        assert phonenumbers.is_valid_number_for_region(number, "US")
        assert 5550100 <= number.national_number % 10**7 <= 5550199


@pytest.mark.parametrize("state", list(HOMES))
def test_the_home_area_codes_are_the_states(state):
    for code in HOMES[state][0]:
        place = geocoder.description_for_number(phonenumbers.parse(f"+1 {code} 555 0150"), "en")
        assert place == STATE_NAMES[state] or place.endswith(f", {state}")


def test_an_emergency_contact_is_never_the_patients_own_phone(default_demo):
    contacts = [p for p in default_demo if p.fields.get("emergency_contact_name")]

    assert contacts
    for person in contacts:
        assert person.fields["emergency_contact_phone"] != person.fields["phone_mobile"]


def test_the_same_seed_plans_the_same_patients(default_demo):
    again = plan()

    assert [p.fields for p in again] == [p.fields for p in default_demo]
    assert [p.fields for p in plan(count=200, seed=43)] != [p.fields for p in again[:200]]


def test_a_demo_larger_than_the_fictional_numbers_still_gives_only_fictional_ones(monkeypatch):
    cities = ("Springfield",)
    monkeypatch.setattr(people, "HOMES", {"MA": (("413",), cities), "IL": (("217",), cities)})
    monkeypatch.setattr(people, "ELSEWHERE", ("603",))

    phones = [person.fields["phone_mobile"] for person in plan(count=400)]

    assert fictional(("413", "603")) <= set(phones) <= fictional(("413", "217", "603"))
