import datetime

import pytest
from django import forms

from carebridge.scheduling.forms_reminders import offset_text, offsets_parse

MINUTE = datetime.timedelta(minutes=1)


def test_offsets_are_read_as_a_list_of_numbers_with_units():
    assert offsets_parse("7 days, 2 days, 2 hours") == [
        7 * 1440 * MINUTE,
        2 * 1440 * MINUTE,
        120 * MINUTE,
    ]
    assert offsets_parse("1 week,36h , 90 min, 5m,") == [
        10080 * MINUTE,
        2160 * MINUTE,
        90 * MINUTE,
        5 * MINUTE,
    ]
    assert offsets_parse("  ") == []


@pytest.mark.parametrize("text", ["2", "two days", "2 fortnights", "1.5 hours", "-2 days"])
def test_anything_else_is_refused_quoting_the_part(text):
    with pytest.raises(forms.ValidationError) as error:
        offsets_parse(f"7 days, {text}")
    assert text.strip() in error.value.messages[0]


def test_offsets_are_written_in_the_largest_unit_that_divides_them():
    assert [offset_text(n * MINUTE) for n in (10080, 2880, 1440, 120, 90, 1)] == [
        "1 week",
        "2 days",
        "1 day",
        "2 hours",
        "90 minutes",
        "1 minute",
    ]
