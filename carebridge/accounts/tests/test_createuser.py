import io

import pytest
from django.core.management import CommandError, call_command

from carebridge.accounts.selectors import user_by_username

STRONG = "a-long-clinic-passphrase-77"


def createuser(*args: str) -> str:
    out = io.StringIO()
    call_command("createuser", "--org", "clinic-a", *args, stdout=out)
    return out.getvalue()


def test_password_from_the_environment(org_a, monkeypatch):
    monkeypatch.setenv("CAREBRIDGE_PASSWORD", STRONG)

    out = createuser("--username", "nurse-jo", "--role", "nurse")

    user = user_by_username(organization=org_a, username="nurse-jo")
    assert user.role == "nurse"
    assert user.check_password(STRONG)
    assert user.groups.get().name == "role:nurse"
    assert out.strip() == "Created nurse nurse-jo in clinic-a."


def test_password_asked_twice_at_the_terminal(org_a, monkeypatch):
    monkeypatch.delenv("CAREBRIDGE_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    createuser("--username", "billing-max", "--role", "billing")

    assert user_by_username(organization=org_a, username="billing-max").check_password(STRONG)


def test_different_passwords_at_the_terminal_are_refused(org_a, monkeypatch):
    monkeypatch.delenv("CAREBRIDGE_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match="password: the two passwords differ"):
        createuser("--username", "billing-max", "--role", "billing")


def test_no_password_and_no_terminal(org_a, monkeypatch):
    monkeypatch.delenv("CAREBRIDGE_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)

    with pytest.raises(CommandError, match="password: set CAREBRIDGE_PASSWORD"):
        createuser("--username", "nurse-jo", "--role", "nurse")


def test_weak_password_is_refused(org_a, monkeypatch):
    monkeypatch.setenv("CAREBRIDGE_PASSWORD", "abc-12")

    with pytest.raises(CommandError, match="password: This password is too short"):
        createuser("--username", "nurse-jo", "--role", "nurse")


def test_unknown_role_names_the_argument(org_a, monkeypatch):
    monkeypatch.setenv("CAREBRIDGE_PASSWORD", STRONG)

    with pytest.raises(CommandError, match="--role: invalid choice: 'surgeon'"):
        createuser("--username", "nurse-jo", "--role", "surgeon")


def test_unknown_clinic_names_the_argument(db, monkeypatch):
    monkeypatch.setenv("CAREBRIDGE_PASSWORD", STRONG)

    with pytest.raises(CommandError, match="org: no clinic with slug 'clinic-a'"):
        createuser("--username", "nurse-jo", "--role", "nurse")


def test_taken_username_is_refused(coordinator_a, monkeypatch):
    monkeypatch.setenv("CAREBRIDGE_PASSWORD", STRONG)

    with pytest.raises(CommandError, match="username: "):
        createuser("--username", "coord-a", "--role", "nurse")
