import datetime
from zoneinfo import ZoneInfo

from carebridge.scheduling.services.reminders import reminder_due_times

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
DAY, HOUR = datetime.timedelta(days=1), datetime.timedelta(hours=1)
DEFAULT_OFFSETS = [7 * DAY, 2 * DAY, 2 * HOUR]


def local(day: int, hour: int, minute: int = 0, zone=NEW_YORK) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=zone)


def due(visit_start, now, offsets=DEFAULT_OFFSETS, zone=NEW_YORK, quiet=(21, 8)):
    return reminder_due_times(
        visit_start=visit_start,
        now=now,
        offsets=offsets,
        quiet_start=datetime.time(quiet[0]),
        quiet_end=datetime.time(quiet[1]),
        zone=zone,
    )


def test_each_offset_before_the_visit_outside_quiet_hours():
    visit = local(10, 10)
    assert due(visit, now=local(1, 9)) == [local(3, 10), local(8, 10), local(10, 8)]


def test_offsets_already_past_at_booking_are_skipped():
    assert due(local(10, 10), now=local(7, 12)) == [local(8, 10), local(10, 8)]


def test_due_in_quiet_hours_moves_to_their_end():
    assert due(local(10, 9, 30), now=local(9, 12), offsets=[2 * HOUR]) == [local(10, 8)]


def test_quiet_evening_moves_to_next_morning():
    # 2 days before a 22:30 visit is 22:30, inside quiet hours until 08:00 next day
    assert due(local(10, 22, 30), now=local(1, 9), offsets=[2 * DAY]) == [local(9, 8)]


def test_when_quiet_hours_end_after_the_visit_the_reminder_goes_before_they_begin():
    # an early visit: 2 hours before 07:30 is 05:30; quiet hours end at 08:00, too late
    assert due(local(10, 7, 30), now=local(1, 9), offsets=[2 * HOUR]) == [local(9, 20, 45)]


def test_quiet_hours_are_the_patients_own():
    # 10:00 in New York is 07:00 in Los Angeles: 2 hours before is 05:00 there
    visit = local(10, 10)
    assert due(visit, now=local(1, 9), offsets=[2 * HOUR], zone=LOS_ANGELES) == [
        local(9, 20, 45, zone=LOS_ANGELES)
    ]


def test_reminders_landing_on_the_same_time_are_sent_once():
    visit = local(10, 9)
    assert due(visit, now=local(1, 9), offsets=[2 * HOUR, 3 * HOUR]) == [local(10, 8)]


def test_equal_quiet_bounds_mean_no_quiet_hours():
    assert due(local(10, 9), now=local(1, 9), offsets=[5 * HOUR], quiet=(8, 8)) == [local(10, 4)]


def test_a_reminder_moved_before_quiet_hours_that_have_already_begun_is_skipped():
    assert due(local(10, 7, 30), now=local(9, 22), offsets=[2 * HOUR]) == []
