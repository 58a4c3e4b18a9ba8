import datetime

import time_machine

from carebridge.accounts.services import token_authenticate, token_issue


def test_token_use_is_recorded_at_most_once_a_minute(coordinator_a):
    token, raw = token_issue(user=coordinator_a)
    start = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        token_authenticate(raw)
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):
        token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == start + datetime.timedelta(minutes=2)
