"""The `carebridge` console script: Django's manage.py under the product's name."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["carebridge", *(sys.argv[1:] if argv is None else argv)])
    return 0
