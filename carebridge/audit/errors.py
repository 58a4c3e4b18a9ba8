"""Why the audit log refuses to take an entry."""

from __future__ import annotations


class AuditChainBroken(Exception):
    """The organization's chain cannot be extended without hiding a break in it; an
    operator must look (`carebridge audit --verify`) before anything more is recorded."""
