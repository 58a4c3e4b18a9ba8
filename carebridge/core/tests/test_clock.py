import datetime

import pytest

from carebridge.core import clock

MOMENT = datetime.datetime(2025, 6, 1, 9, 30, tzinfo=datetime.UTC)


def test_now_is_the_real_time_unless_pinned():
    before = datetime.datetime.now(datetime.UTC)
    assert before <= clock.now() <= datetime.datetime.now(datetime.UTC)


def test_pinned_holds_now_for_the_block_only():
    with clock.pinned(MOMENT):
        assert clock.now() == MOMENT
        with clock.pinned(MOMENT + datetime.timedelta(hours=1)):
            assert clock.now() == MOMENT + datetime.timedelta(hours=1)
        assert clock.now() == MOMENT
    assert clock.now() > MOMENT + datetime.timedelta(days=365)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="aware"), clock.pinned(datetime.datetime(2025, 6, 1)):
        pass
