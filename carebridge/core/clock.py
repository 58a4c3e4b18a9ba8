"""The one source of "now", so tests can freeze time in a single place."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
