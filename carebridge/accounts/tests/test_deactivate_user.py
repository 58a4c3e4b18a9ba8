import io

import pytest
from django.core.management import CommandError, call_command

from carebridge.accounts.selectors import user_by_username
from carebridge.accounts.services import token_authenticate
from carebridge.core.errors import NotFound


def test_deactivates_and_revokes_tokens(token_a, org_a):
    out = io.StringIO()

    call_command("deactivate_user", "--org", "clinic-a", "--username", "coord-a", stdout=out)

    assert not user_by_username(organization=org_a, username="coord-a").is_active
    with pytest.raises(NotFound):
        token_authenticate(token_a)
    assert "Deactivated coord-a in clinic-a" in out.getvalue()


def test_user_of_another_clinic_is_not_found(coordinator_a, coordinator_b):
    with pytest.raises(CommandError, match="username: no user 'coord-a' in clinic-b"):
        call_command("deactivate_user", "--org", "clinic-b", "--username", "coord-a")

    coordinator_a.refresh_from_db()
    assert coordinator_a.is_active
