"""The base of CareBridge's commands: a domain error becomes a one-line error and exit code 1."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from carebridge.core.errors import DomainError


class DomainCommand(BaseCommand):
    """Subclasses define `run(self, *args, **options)` in place of `handle`; a DomainError
    it raises is reported without a traceback."""

    def handle(self, *args, **options):
        try:
            return self.run(*args, **options)
        except DomainError as error:
            raise CommandError(error.message) from error
        except BrokenPipeError:
            # The reader went away (`carebridge audit ... | head`): stop quietly, and keep
            # Python from failing again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return None
