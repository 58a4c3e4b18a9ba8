import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from carebridge.noshow.models import NoShowModel, NoShowScore

from .conftest import at, visit

pytestmark = pytest.mark.django_db


def train(*args) -> str:
    out = io.StringIO()
    with time_machine.travel(at(20, 8), tick=False):
        call_command("train_noshow", *args, stdout=out)
    return out.getvalue()


def test_trains_reports_and_rescores(clinic_a, patient_a):
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(3, 9), booked_at=at(1, 10), outcome="fulfilled")
    ahead = visit(clinic_a, patient_a, at(24, 10), booked_at=at(4, 10))

    output = train("--org", "clinic-a")

    assert output.startswith("Points rule for clinic-a: 2 finished visits, 1 no-shows;")
    assert "hold-out AUC n/a (one class) on the newest 1. Rescored 1 visits ahead." in output
    assert (
        "Strongest inputs: prior_noshows +0.80, unconfirmed +0.50, prior_late_cancels +0.40"
        in output
    )
    assert "Age band 35-49: 1 visits, observed 0.0%" in output
    assert NoShowScore.objects.get(appointment=ahead).model == NoShowModel.objects.get()


def test_until_is_a_date_in_the_clinic_zone(clinic_a, patient_a):
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(3, 9), booked_at=at(1, 10), outcome="fulfilled")

    train("--org", "clinic-a", "--until", "2026-03-03")

    assert NoShowModel.objects.get().history_until == at(3, 0)
    assert NoShowModel.objects.get().rows == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--org", "nowhere"), "org: no clinic with slug 'nowhere'"),
        (("--org", "clinic-a", "--until", "March"), "until: 'March' is not a date"),
    ],
)
def test_bad_arguments_are_named(clinic_a, args, message):
    with pytest.raises(CommandError, match=message):
        train(*args)
