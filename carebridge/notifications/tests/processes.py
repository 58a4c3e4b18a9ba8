"""Running `carebridge` commands as separate processes against the test database, with the
gateways pointed at the local stand-ins (SMTP sink, SMS provider)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

from carebridge.notifications.testing.sms_provider import SmsProvider
from carebridge.notifications.testing.smtp_sink import SmtpSink


def current_database_url() -> str:
    """The URL of the database this test uses (its data must be committed to be seen)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def command_environment(
    home: Path, *, smtp: SmtpSink | None = None, sms: SmsProvider | None = None
) -> dict[str, str]:
    environment = os.environ | {
        "DATABASE_URL": current_database_url(),
        "CAREBRIDGE_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "LOG_LEVEL": "ERROR",
    }
    if smtp is not None:
        environment |= {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port)}
    if sms is not None:
        environment |= {
            "SMS_GATEWAY": "twilio",
            "SMS_API_BASE": sms.base_url,
            "SMS_ACCOUNT_SID": sms.account_sid,
            "SMS_AUTH_TOKEN": sms.auth_token,
            "SMS_FROM": "+16175550000",
        }
    return environment


def start(arguments: list[str], environment: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "django", *arguments],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `condition` until it holds; the other side is a separate process."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)
