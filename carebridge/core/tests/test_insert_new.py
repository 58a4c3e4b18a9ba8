import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.db.models import Model

from carebridge.accounts.models import Organization
from carebridge.core.db import insert_new

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)


def _columns(obj: Model) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


@time_machine.travel(NOON, tick=False)
def test_writes_every_row_in_one_statement_and_keys_each(django_assert_num_queries):
    clinics = [Organization(slug=f"clinic-{n}", name=f"Clinic {n}") for n in range(3)]

    with django_assert_num_queries(1):
        insert_new(clinics)

    for clinic in clinics:
        assert clinic.pk is not None and not clinic._state.adding
        assert clinic.created_at == NOON  # auto_now_add, as bulk_create sets it
        # each object got its own row's key
        assert _columns(Organization.objects.get(pk=clinic.pk)) == _columns(clinic)


def test_nothing_to_write_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_new([])


def test_a_broken_constraint_writes_none_of_the_rows():
    Organization.objects.create(slug="taken", name="First")

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new([Organization(slug="free", name="A"), Organization(slug="taken", name="B")])

    assert not Organization.objects.filter(slug="free").exists()
