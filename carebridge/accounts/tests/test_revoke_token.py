import io

import pytest
from django.core.management import CommandError, call_command

from carebridge.accounts.services import token_authenticate
from carebridge.core.errors import NotFound


def test_revoked_token_stops_working(token_a, token_b):
    out = io.StringIO()

    call_command("revoke_token", "--org", "clinic-a", "--prefix", token_a[:12], stdout=out)

    assert out.getvalue().strip() == "Revoked 1 token(s)."
    with pytest.raises(NotFound):
        token_authenticate(token_a)
    assert token_authenticate(token_b)[0].username == "coord-b"


def test_another_clinics_token_cannot_be_revoked(token_a, org_b):
    with pytest.raises(CommandError, match="prefix: no live token of clinic-b"):
        call_command("revoke_token", "--org", "clinic-b", "--prefix", token_a[:12])

    assert token_authenticate(token_a)[0].username == "coord-a"
