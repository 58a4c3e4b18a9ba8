import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.accounts.models import User


def _fresh(user: User) -> User:
    """The user as a new request loads it: no permission cache yet."""
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_role_grants_its_permissions_in_one_query(coordinator_a):
    user = _fresh(coordinator_a)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("scheduling.add_appointment")
        assert user.has_perm("patients.change_patient")
        assert not user.has_perm("accounts.add_user")
    assert len(queries) == 1


@pytest.mark.django_db
def test_a_permission_given_to_the_user_directly_counts_too(clinician_a):
    assert not _fresh(clinician_a).has_perm("patients.add_patient")
    clinician_a.user_permissions.add(Permission.objects.get(codename="add_patient"))
    assert _fresh(clinician_a).has_perm("patients.add_patient")


@pytest.mark.django_db
def test_an_inactive_user_holds_no_permission(coordinator_a):
    coordinator_a.is_active = False
    coordinator_a.save(update_fields=["is_active"])
    assert _fresh(coordinator_a).get_all_permissions() == set()


@pytest.mark.django_db
def test_a_superuser_holds_every_permission(coordinator_a):
    coordinator_a.is_superuser = True
    coordinator_a.save(update_fields=["is_superuser"])
    assert _fresh(coordinator_a).has_perm("accounts.delete_user")
