"""Role permissions for pages: what the JSON API refuses a role, its pages refuse too."""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied


def requires(permission: str, *, to_change: str = ""):
    """403 unless the user's role holds `permission`, and `to_change` for a POST."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            needed = to_change if to_change and request.method == "POST" else permission
            if not request.user.has_perm(needed):
                raise PermissionDenied(f"your role may not do this ({needed})")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
