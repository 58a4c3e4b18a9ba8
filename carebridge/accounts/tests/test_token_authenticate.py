import pytest
from django.db.models import Model

from carebridge.accounts.models import ApiToken, User
from carebridge.accounts.services import token_authenticate, token_issue
from carebridge.core.errors import NotFound

pytestmark = pytest.mark.django_db


def _columns(obj: Model) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_loads_token_user_and_clinic_as_the_orm_would(coordinator_a, django_assert_num_queries):
    _, raw = token_issue(user=coordinator_a)

    with django_assert_num_queries(2):  # the read, and the first use recorded
        user, token = token_authenticate(raw)
        organization = user.organization
    with django_assert_num_queries(0):  # the role's permissions came with the token
        held = user.get_all_permissions()

    stored = ApiToken.objects.select_related("user__organization").get(pk=token.pk)
    assert _columns(token) == _columns(stored)
    assert _columns(user) == _columns(stored.user)
    assert _columns(organization) == _columns(stored.user.organization)
    assert token.user is user and not user._state.adding
    assert held == User.objects.get(pk=user.pk).get_all_permissions()
    assert user.has_perm("scheduling.add_appointment")


def test_a_user_outside_any_clinic_is_not_found():
    user = User.objects.create_user(username="operator", password="x" * 16)
    _, raw = token_issue(user=user)

    with pytest.raises(NotFound):
        token_authenticate(raw)


def test_an_unknown_token_is_not_found(coordinator_a):
    token_issue(user=coordinator_a)

    with pytest.raises(NotFound):
        token_authenticate("cbt_not-a-token")
