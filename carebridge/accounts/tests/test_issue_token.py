import io

import pytest
from django.core.management import CommandError, call_command

from carebridge.accounts.services import token_authenticate, user_deactivate


def issue_token(slug: str, username: str) -> str:
    out = io.StringIO()
    call_command("issue_token", "--org", slug, "--username", username, stdout=out)
    return out.getvalue()


def test_prints_only_a_working_token(coordinator_a):
    out = issue_token("clinic-a", "coord-a")

    raw = out.strip()
    assert out == raw + "\n"
    assert token_authenticate(raw)[0] == coordinator_a


def test_user_of_another_clinic_is_not_found(coordinator_a, org_b):
    with pytest.raises(CommandError, match="username: no user 'coord-a' in clinic-b"):
        issue_token("clinic-b", "coord-a")


def test_deactivated_user_gets_no_token(coordinator_a):
    user_deactivate(user=coordinator_a)

    with pytest.raises(CommandError, match="username: 'coord-a' is deactivated"):
        issue_token("clinic-a", "coord-a")
