"""An idle session ends after SESSION_IDLE_MINUTES (15 by default); activity keeps it alive."""

import datetime

import time_machine
from django.conf import settings

from carebridge.core import clock


def test_the_idle_limit_is_fifteen_minutes():
    assert settings.SESSION_COOKIE_AGE == 15 * 60


def test_idle_session_is_sent_back_to_login(coordinator_client):
    with time_machine.travel(clock.now() + datetime.timedelta(minutes=16)):
        response = coordinator_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_each_request_restarts_the_idle_clock(coordinator_client):
    started = clock.now()
    for minutes in (10, 20, 30):
        with time_machine.travel(started + datetime.timedelta(minutes=minutes)):
            assert coordinator_client.get("/").status_code == 200
