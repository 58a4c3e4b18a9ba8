"""The demo clinic's patients: made up by Faker, registered through patient_create.

Phone numbers are 555-0100 to 555-0199 under real area codes, the numbers the North
American plan reserves for fiction, and e-mail addresses use the example domains, so no
real person can be reached or confused with a demo patient.

Each patient has a mobile of their own, as most people do, except some children, who
share a parent's phone and home: when texts to that phone ask about visits of both, the
answers go to a person, as they would in any family practice.
"""

from __future__ import annotations

import datetime
import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from faker import Faker
from unidecode import unidecode

from carebridge.accounts.models import Organization, User
from carebridge.demo.clinic import SITES, person_name
from carebridge.patients.constants import ContactChannel, PayerGroup
from carebridge.patients.models import Patient
from carebridge.patients.services import patient_create

# Ages are counted from a fixed day, so a seed gives the same birth dates whenever it runs.
AGE_REFERENCE = datetime.date(2025, 1, 1)
LANGUAGES = ("en", "es", "pt", "zh", "vi", "ht", "ru", "ar")
LANGUAGE_WEIGHTS = (68, 14, 5, 3, 3, 3, 2, 2)
CHANNELS = (ContactChannel.SMS, ContactChannel.EMAIL, ContactChannel.PHONE, ContactChannel.NONE)
CHANNEL_WEIGHTS = (55, 25, 15, 5)
# Every area code of the state, since each has only 100 fictional numbers: patients get a
# local number while the state's last, then one from ELSEWHERE.
HOMES = {
    "MA": (
        ("617", "857", "781", "339", "508", "774", "978", "351", "413"),
        ("Boston", "Cambridge", "Somerville", "Quincy", "Worcester"),
    ),
    "IL": (
        (
            *("312", "773", "872", "708", "464", "847", "224", "630", "331"),
            *("815", "779", "309", "217", "447", "618", "730"),
        ),
        ("Chicago", "Evanston", "Oak Park", "Cicero"),
    ),
}
# Where patients lived before, who kept their number when they moved (as most people do):
# enough codes that the default demo's 3,000 patients all have a number of their own.
ELSEWHERE = (
    *("603", "401", "207", "802", "203", "860", "475", "959"),
    *("212", "646", "718", "347", "917", "516", "631", "914", "518", "585", "716"),
    *("201", "973", "732", "908", "215", "267", "412", "202", "301", "410", "703"),
    *("404", "305", "786", "407", "813", "214", "512", "713", "210", "303", "602"),
    *("206", "503", "415", "510", "213", "310", "408", "612", "414", "313", "734"),
)
# A patient texting from a clinic's own number would look like the clinic answering itself.
CLINIC_PHONES = frozenset(site.phone for site in SITES)
# The share of children who share a parent's phone, family name and home, where a patient
# could be their parent: about 7% of all patients.
CHILDREN_ON_A_PARENTS_PHONE = 0.4
PARENT_AGE_GAPS = range(20, 46)
# Otherwise a parent of a language few patients speak gathers implausibly many children.
CHILDREN_PER_PARENT = 3
RELATIONSHIPS = ("spouse", "parent", "child", "sibling", "friend")
EMAIL_DOMAINS = ("example.org", "example.com", "example.net")
# Who pays, by age: children and adults mostly through work or Medicaid, the retired Medicare.
PAYERS = (
    PayerGroup.COMMERCIAL,
    PayerGroup.MEDICAID,
    PayerGroup.MEDICARE,
    PayerGroup.SELF_PAY,
    PayerGroup.OTHER,
    PayerGroup.UNKNOWN,
)
PAYER_WEIGHTS_UNDER_65 = (58, 24, 2, 8, 4, 4)
PAYER_WEIGHTS_65_PLUS = (10, 6, 78, 1, 3, 2)


@dataclass(frozen=True)
class DemoPatient:
    """A registered patient and how likely they are, by temperament, to miss a visit."""

    patient: Patient
    age: int
    no_show_tendency: float


@dataclass
class PlannedPatient:
    """A patient's fields before registration; `parent` is the adult whose phone and home a
    child shares, `children` how many children share an adult's."""

    fields: dict
    age: int
    no_show_tendency: float
    parent: PlannedPatient | None = field(repr=False)
    children: int = 0


def patients_register(
    *,
    organization: Organization,
    actor: User | None,
    count: int,
    rng: random.Random,
    faker: Faker,
    first_number: int = 1,
) -> list[DemoPatient]:
    """Register `count` made-up patients (one audit entry each, like any registration),
    numbered from `first_number` so that batches of one clinic get distinct MRNs. Mobiles
    are distinct within one call (see patients_plan), not across batches."""
    registered = []
    for planned in patients_plan(count=count, rng=rng, faker=faker, first_number=first_number):
        patient = patient_create(organization=organization, actor=actor, fields=planned.fields)
        registered.append(DemoPatient(patient, planned.age, planned.no_show_tendency))
    return registered


def patients_plan(
    *, count: int, rng: random.Random, faker: Faker, first_number: int = 1
) -> list[PlannedPatient]:
    """The fields of `count` made-up patients, the same for the same generator states.

    Invariants: every phone is a fictional one under a real US area code, never a clinic's;
    each patient has a mobile no other patient has, except children on a parent's phone,
    until the fictional numbers run out (about 8,000); an emergency contact's phone is not
    the patient's own mobile.
    """
    parents: dict[tuple[str, str, int], list[PlannedPatient]] = {}
    planned = []
    for number in range(first_number, first_number + count):
        person = _planned(number, rng, faker, parents)
        if person.parent is not None:
            person.parent.children += 1
        if person.age >= 18:
            key = (person.fields["state"], person.fields["preferred_language"], person.age)
            parents.setdefault(key, []).append(person)
        planned.append(person)
    _mobiles_assign(planned, rng)
    for person in planned:
        if person.fields.get("emergency_contact_name"):
            person.fields["emergency_contact_phone"] = _emergency_phone(person.fields, rng)
    return planned


def _planned(
    number: int,
    rng: random.Random,
    faker: Faker,
    parents: dict[tuple[str, str, int], list[PlannedPatient]],
) -> PlannedPatient:
    language = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
    given, family, sex = person_name(faker, language, rng)
    age = _age(rng)
    state = rng.choices(tuple(HOMES), weights=(4, 1))[0]
    parent = _parent(parents, age, state, language, rng)
    if parent is None:
        home = {
            "address_line": faker["en_US"].street_address(),
            "city": rng.choice(HOMES[state][1]),
            "postal_code": faker["en_US"].postcode_in_state(state),
        }
    else:
        family = parent.fields["family_name"]
        home = {name: parent.fields[name] for name in ("address_line", "city", "postal_code")}
    channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
    has_email = channel == ContactChannel.EMAIL or rng.random() < 0.6
    fields = {
        "mrn": f"D{number:07d}",
        "given_name": given,
        "family_name": family,
        "birth_date": AGE_REFERENCE - datetime.timedelta(days=age * 365 + rng.randrange(365)),
        "sex": sex,
        "email": _email(given, family, number, rng) if has_email else "",
        "state": state,
        **home,
        "preferred_language": language,
        "preferred_channel": channel,
        "payer_group": rng.choices(
            PAYERS, weights=PAYER_WEIGHTS_65_PLUS if age >= 65 else PAYER_WEIGHTS_UNDER_65
        )[0],
        "consent_sms": channel == ContactChannel.SMS or rng.random() < 0.3,
        "consent_email": has_email and channel != ContactChannel.NONE,
        "consent_phone": channel != ContactChannel.NONE,
    }
    if channel == ContactChannel.NONE:
        fields["consent_sms"] = False
    if rng.random() < 0.6:
        fields["emergency_contact_name"] = " ".join(person_name(faker, language, rng)[:2])
        fields["emergency_contact_relationship"] = rng.choice(RELATIONSHIPS)
    return PlannedPatient(fields, age, _no_show_tendency(age, rng), parent)


def _age(rng: random.Random) -> int:
    band = rng.choices(((1, 17), (18, 44), (45, 64), (65, 92)), weights=(18, 34, 28, 20))[0]
    return rng.randint(*band)


def _parent(
    parents: dict[tuple[str, str, int], list[PlannedPatient]],
    age: int,
    state: str,
    language: str,
    rng: random.Random,
) -> PlannedPatient | None:
    """For some children, an adult already planned who could be their parent: the same
    state and language, 20 to 45 years older, with room for another child on their phone."""
    if age >= 18 or rng.random() >= CHILDREN_ON_A_PARENTS_PHONE:
        return None
    candidates = [
        adult
        for gap in PARENT_AGE_GAPS
        for adult in parents.get((state, language, age + gap), ())
        if adult.children < CHILDREN_PER_PARENT
    ]
    return rng.choice(candidates) if candidates else None


def _mobiles_assign(planned: list[PlannedPatient], rng: random.Random) -> None:
    """Give each patient with a phone of their own a distinct number, of their state while
    its numbers last, then from elsewhere; children on a parent's phone get the parent's.
    Patients are served in random order, so who has a local number does not follow MRNs."""
    elsewhere = iter(_shuffled(_fictional_numbers(ELSEWHERE), rng))
    for state, (area_codes, _) in HOMES.items():
        local = _fictional_numbers(area_codes)
        numbers = iter(_shuffled(local, rng))
        own = [p for p in planned if p.parent is None and p.fields["state"] == state]
        for person in _shuffled(own, rng):
            # A demo beyond the pool has no fictional numbers left: these patients get one
            # of their state's at random, which someone else has too.
            number = next(numbers, None) or next(elsewhere, None) or rng.choice(local)
            person.fields["phone_mobile"] = number
    for person in planned:
        if person.parent is not None:
            person.fields["phone_mobile"] = person.parent.fields["phone_mobile"]


@functools.cache
def _fictional_numbers(area_codes: tuple[str, ...]) -> tuple[str, ...]:
    numbers = (f"+1 {code} 555 01{line:02d}" for code in area_codes for line in range(100))
    return tuple(number for number in numbers if number not in CLINIC_PHONES)


def _shuffled(items: Sequence, rng: random.Random) -> list:
    return rng.sample(items, len(items))


def _emergency_phone(fields: dict, rng: random.Random) -> str:
    """A number of the patient's state but not their own mobile, which would reach nobody
    else in an emergency. Another patient's is fine: nothing texts an emergency contact."""
    numbers = _fictional_numbers(HOMES[fields["state"]][0])
    phone = fields["phone_mobile"]
    while phone == fields["phone_mobile"]:
        phone = rng.choice(numbers)
    return phone


def _email(given: str, family: str, number: int, rng: random.Random) -> str:
    local = "".join(
        ch for ch in unidecode(f"{given}.{family}").lower() if ch.isalnum() or ch == "."
    )
    return f"{local}{number}@{rng.choice(EMAIL_DOMAINS)}"


def _no_show_tendency(age: int, rng: random.Random) -> float:
    """Most patients rarely miss a visit and a few often do; young adults miss more than
    the retired, which is the pattern clinics report."""
    by_age = 1.4 if 18 <= age < 35 else 0.7 if age >= 65 else 1.0
    return min(0.6, rng.betavariate(1.3, 14) * by_age)
