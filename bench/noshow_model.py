"""The no-show model on the demo clinic's history: hold-out AUC and how long training takes.

The demo clinic (3,000 patients, 30 practitioners) is seeded, then `noshow_model_train`
learns from its finished visits and measures the AUC on the newest 20% of them, the
time-based hold-out. A model no better than chance scores 0.5.
"""

from __future__ import annotations

from bench.harness import Row, database_label, emit, start_django, timed

TARGET_AUC = 0.65
TARGET_TRAIN_SECONDS = 30.0


def main() -> None:
    start_django()
    from django.conf import settings

    from carebridge.demo.services import demo_seed
    from carebridge.noshow.services import noshow_model_train, noshow_scores_refresh

    organization = demo_seed(
        slug="demo", patients=3000, practitioners=30, seed=42, home=settings.CAREBRIDGE_HOME
    ).organization
    trained = {}

    def train():
        trained["model"] = noshow_model_train(organization=organization)

    seconds = timed(train)
    model = trained["model"]
    scored = {}
    score_seconds = timed(
        lambda: scored.update(count=noshow_scores_refresh(organization=organization))
    )
    auc = model.holdout_auc or 0.0
    emit(
        [
            Row(
                "no-show model, time-based hold-out (demo history)",
                database_label(),
                {
                    "AUC": f"{auc:.3f}",
                    "method": model.method,
                    "visits": f"{model.rows} ({model.positives} no-shows)",
                    "hold-out": str(model.holdout_rows),
                    "train": f"{seconds:.1f} s",
                    "score": f"{scored['count']} visits in {score_seconds:.1f} s",
                },
                target=f"AUC >= {TARGET_AUC}, train < {TARGET_TRAIN_SECONDS:.0f} s",
                passed=auc >= TARGET_AUC and seconds < TARGET_TRAIN_SECONDS,
                note="newest 20% of finished visits held out; 0.5 = chance",
            )
        ]
    )


if __name__ == "__main__":
    main()
