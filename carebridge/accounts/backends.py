"""Password login with role permissions read in one query."""

import functools

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection

from carebridge.accounts.models import User
from carebridge.core.db import quoted_column


class RoleBackend(ModelBackend):
    """Django's model backend, except that a user's own and their groups' permissions come
    from one query instead of two: every API call checks a permission before anything else."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = _permissions_of(user_obj)
        return user_obj._perm_cache


def permissions_remember(user: User, names: set[str]) -> None:
    """Hand the backend the user's permissions, read along with something else (the API
    token), so that checking them costs no query of its own."""
    if not user.is_superuser:
        user._perm_cache = names


def _permissions_of(user: User) -> set[str]:
    if user.is_superuser:
        pairs = Permission.objects.values_list("content_type__app_label", "codename")
    else:
        with connection.cursor() as cursor:
            cursor.execute(_user_permissions_sql(), [user.pk, user.pk])
            pairs = cursor.fetchall()
    return {f"{app}.{codename}" for app, codename in pairs}


@functools.cache
def _user_permissions_sql() -> str:
    """Written out: the ORM's form (two outer joins under DISTINCT) cost more to build and
    to plan than to run, on every API request. Parameters: the user's id, twice."""
    return permissions_select("%s")


def permissions_select(user: str) -> str:
    """SELECT of the app label and codename (as `app` and `code`) of every permission the
    user holds through a role or directly. `user` is the SQL of the user's id: a parameter,
    or a column of an enclosing statement."""
    quote = connection.ops.quote_name
    permission = Permission._meta
    content_type = permission.get_field("content_type")
    via_group, of_group = User.groups.through._meta, Group.permissions.through._meta
    direct = User.user_permissions.through._meta

    granted_by_role = (
        f"SELECT gp.{quoted_column(of_group, 'permission')} FROM {quote(of_group.db_table)} gp"  # noqa: S608
        f" JOIN {quote(via_group.db_table)} ug"
        f" ON ug.{quoted_column(via_group, 'group')} = gp.{quoted_column(of_group, 'group')}"
        f" WHERE ug.{quoted_column(via_group, 'user')} = {user}"
    )
    granted_directly = (
        f"SELECT up.{quoted_column(direct, 'permission')} FROM {quote(direct.db_table)} up"  # noqa: S608
        f" WHERE up.{quoted_column(direct, 'user')} = {user}"
    )
    types = content_type.related_model._meta
    return (
        f"SELECT ct.{quoted_column(types, 'app_label')} AS app,"  # noqa: S608
        f" p.{quoted_column(permission, 'codename')} AS code"
        f" FROM {quote(permission.db_table)} p JOIN {quote(types.db_table)} ct"
        f" ON ct.{quoted_column(types, 'id')} = p.{quote(content_type.column)}"
        f" WHERE p.{quoted_column(permission, 'id')} IN ({granted_by_role})"
        f" OR p.{quoted_column(permission, 'id')} IN ({granted_directly})"
    )
