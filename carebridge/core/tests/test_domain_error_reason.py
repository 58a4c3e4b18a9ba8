from carebridge.core.errors import Conflict, InvalidInput


def test_the_reason_is_the_message_without_the_field_in_front():
    assert InvalidInput("mrn: 'A-1' is taken", field="mrn").reason == "'A-1' is taken"


def test_a_message_that_does_not_start_with_its_field_is_kept_whole():
    assert Conflict("slot: taken", field="start").reason == "slot: taken"
    assert Conflict("taken: by someone").reason == "taken: by someone"
