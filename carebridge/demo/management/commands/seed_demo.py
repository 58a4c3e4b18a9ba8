import time

from django.conf import settings

from carebridge.core.maintenance import database_analyze
from carebridge.core.management.base import DomainCommand
from carebridge.demo.services import DEFAULT_PATIENTS, demo_exists, demo_seed


class Command(DomainCommand):
    help = (
        "Build a made-up demo clinic (sites, clinicians, patients, 16 weeks of visits) and "
        "write its staff logins to CAREBRIDGE_HOME/<org>-logins.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", default="demo", help="slug of the demo clinic")
        parser.add_argument("--patients", type=int, default=DEFAULT_PATIENTS)
        parser.add_argument("--practitioners", type=int, default=30)
        parser.add_argument("--seed", type=int, default=42, help="same seed, same clinic")

    def run(self, *, org, patients, practitioners, seed, **options):
        if demo_exists(slug=org):
            self.stdout.write(f"The demo clinic {org!r} already exists; nothing to do.")
            return
        began = time.perf_counter()
        seeded = demo_seed(
            slug=org,
            patients=patients,
            practitioners=practitioners,
            seed=seed,
            home=settings.CAREBRIDGE_HOME,
        )
        database_analyze()
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(seeded.appointments.items()))
        self.stdout.write(
            f"Seeded {seeded.organization.name} ({org}) in {time.perf_counter() - began:.1f} s: "
            f"{seeded.practitioners} practitioners, {seeded.patients} patients, "
            f"appointments: {statuses or 'none'}.\n"
            f"Staff logins: {seeded.logins_path}"
        )
