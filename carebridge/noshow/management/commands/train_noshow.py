import datetime
import zoneinfo

from carebridge.accounts.selectors import organization_by_slug
from carebridge.core.errors import InvalidInput
from carebridge.core.management.base import DomainCommand
from carebridge.noshow.selectors import noshow_fairness
from carebridge.noshow.services import noshow_model_train, noshow_scores_refresh

STRONGEST = 5


class Command(DomainCommand):
    help = (
        "Learn the clinic's no-show model from its finished visits (logistic regression, or "
        "the points rule while history is thin), report its hold-out AUC, and rescore the "
        "visits ahead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the clinic's slug")
        parser.add_argument(
            "--until", help="learn only from visits before this date (YYYY-MM-DD, clinic's zone)"
        )

    def run(self, *, org, until, **options):
        organization = organization_by_slug(slug=org)
        zone = zoneinfo.ZoneInfo(organization.timezone)
        model = noshow_model_train(organization=organization, until=_midnight(until, zone))
        scored = noshow_scores_refresh(organization=organization)
        auc = "n/a (one class)" if model.holdout_auc is None else f"{model.holdout_auc:.3f}"
        self.stdout.write(
            f"{model.get_method_display()} for {organization.slug}: {model.rows} finished "
            f"visits, {model.positives} no-shows; hold-out AUC {auc} on the newest "
            f"{model.holdout_rows}. Rescored {scored} visits ahead."
        )
        strongest = sorted(model.coefficients.all(), key=lambda c: -abs(c.weight))[:STRONGEST]
        self.stdout.write(
            "Strongest inputs: " + ", ".join(f"{c.feature} {c.weight:+.2f}" for c in strongest)
        )
        for metric in noshow_fairness(organization=organization):
            metric_auc = "-" if metric.auc is None else f"{metric.auc:.3f}"
            self.stdout.write(
                f"  {metric.get_dimension_display()} {metric.group}: {metric.count} visits, "
                f"observed {metric.observed_rate:.1%}, predicted {metric.mean_predicted:.1%}, "
                f"AUC {metric_auc}"
            )


def _midnight(raw: str | None, zone) -> datetime.datetime | None:
    if not raw:
        return None
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError as error:
        raise InvalidInput(
            f"until: {raw!r} is not a date like 2026-11-01", field="until"
        ) from error
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
