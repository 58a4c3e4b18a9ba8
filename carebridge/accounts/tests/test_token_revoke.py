"""A revoked token fails on the next request that presents it (HTTP is covered by the API)."""

import pytest

from carebridge.accounts.services import token_authenticate, token_issue, token_revoke
from carebridge.core.errors import NotFound


def test_revoked_token_is_refused(coordinator_a, token_a):
    assert token_authenticate(token_a)[0] == coordinator_a

    revoked = token_revoke(organization=coordinator_a.organization, prefix=token_a[:12])

    assert revoked == 1
    with pytest.raises(NotFound, match="unknown or revoked token"):
        token_authenticate(token_a)


def test_other_tokens_of_the_user_keep_working(coordinator_a, token_a):
    _, second = token_issue(user=coordinator_a, label="fax bridge")

    token_revoke(organization=coordinator_a.organization, prefix=token_a[:12])

    assert token_authenticate(second)[0] == coordinator_a


def test_another_clinic_cannot_revoke_it(coordinator_a, token_a, org_b):
    assert token_revoke(organization=org_b, prefix=token_a[:12]) == 0

    assert token_authenticate(token_a)[0] == coordinator_a
