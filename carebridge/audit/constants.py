from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"  # a record was created
    READ = "read", "Read"  # one record was shown or returned
    QUERY = "query", "Query"  # a record appeared in a search or list result
    UPDATE = "update", "Update"  # a record was changed
    DELETE = "delete", "Delete"  # a record was removed or entered in error


class AuditOutcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"  # the action went through
    DENIED = "denied", "Denied"  # the action was refused (permission, other organization)
