"""The demo clinic's patients: made up by Faker, registered through patient_create.

Phone numbers use the 555-01xx range and e-mail addresses the example domains, which are
reserved for fiction, so no real person can be reached or confused with a demo patient.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from faker import Faker
from unidecode import unidecode

from carebridge.accounts.models import Organization, User
from carebridge.demo.clinic import person_name
from carebridge.patients.constants import ContactChannel, PayerGroup
from carebridge.patients.models import Patient
from carebridge.patients.services import patient_create

# Ages are counted from a fixed day, so a seed gives the same birth dates whenever it runs.
AGE_REFERENCE = datetime.date(2025, 1, 1)
LANGUAGES = ("en", "es", "pt", "zh", "vi", "ht", "ru", "ar")
LANGUAGE_WEIGHTS = (68, 14, 5, 3, 3, 3, 2, 2)
CHANNELS = (ContactChannel.SMS, ContactChannel.EMAIL, ContactChannel.PHONE, ContactChannel.NONE)
CHANNEL_WEIGHTS = (55, 25, 15, 5)
HOMES = {
    "MA": (("617", "857"), ("Boston", "Cambridge", "Somerville", "Quincy", "Worcester")),
    "IL": (("312", "773"), ("Chicago", "Evanston", "Oak Park", "Cicero")),
}
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
    numbered from `first_number` so that batches of one clinic get distinct MRNs."""
    registered = []
    for number in range(first_number, first_number + count):
        fields, age = _patient_fields(number, rng, faker)
        patient = patient_create(organization=organization, actor=actor, fields=fields)
        registered.append(DemoPatient(patient, age, _no_show_tendency(age, rng)))
    return registered


def _patient_fields(number: int, rng: random.Random, faker: Faker) -> tuple[dict, int]:
    language = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
    given, family, sex = person_name(faker, language, rng)
    age = _age(rng)
    state = rng.choices(tuple(HOMES), weights=(4, 1))[0]
    area_codes, cities = HOMES[state]
    channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
    has_email = channel == ContactChannel.EMAIL or rng.random() < 0.6
    fields = {
        "mrn": f"D{number:07d}",
        "given_name": given,
        "family_name": family,
        "birth_date": AGE_REFERENCE - datetime.timedelta(days=age * 365 + rng.randrange(365)),
        "sex": sex,
        "phone_mobile": _fictional_phone(rng, area_codes),
        "email": _email(given, family, number, rng) if has_email else "",
        "address_line": faker["en_US"].street_address(),
        "city": rng.choice(cities),
        "state": state,
        "postal_code": faker["en_US"].postcode_in_state(state),
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
        fields["emergency_contact_phone"] = _fictional_phone(rng, area_codes)
        fields["emergency_contact_relationship"] = rng.choice(RELATIONSHIPS)
    return fields, age


def _age(rng: random.Random) -> int:
    band = rng.choices(((1, 17), (18, 44), (45, 64), (65, 92)), weights=(18, 34, 28, 20))[0]
    return rng.randint(*band)


def _fictional_phone(rng: random.Random, area_codes: tuple[str, ...]) -> str:
    return f"+1 {rng.choice(area_codes)} 555 01{rng.randrange(100):02d}"


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
