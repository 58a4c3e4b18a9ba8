from django_tasks_db.management.commands import db_worker


class Command(db_worker.Command):
    help = "Run the background task worker (reminders, outbox delivery, sweeps) until stopped."
