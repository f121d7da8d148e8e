"""The groups the site's roles rely on exist and hold their permissions."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import router, transaction

from smoketest import NoFix
from smoketest.checks.base import BuiltinCheck

AUTH_APP = "django.contrib.auth"


class RolesSmoke(BuiltinCheck):
    """Each group named in ``roles`` exists and holds at least the permissions
    listed for it (``"app_label.codename"``, as ``user.has_perm`` takes them).
    A permission that no installed model defines is a configuration error.
    Skipped when ``django.contrib.auth`` is not installed or ``roles`` is
    empty. Its fix creates the missing groups and grants the missing permissions."""

    tags = frozenset({"builtin", "auth", "roles"})
    #: Group name -> the permissions it must hold:
    #: ``{"Editors": ["cms.change_page", "cms.publish_page"]}``.
    roles: Mapping[str, Sequence[str]] = {}

    def setUp(self) -> None:
        if not apps.is_installed(AUTH_APP):
            self.skipTest(f"{AUTH_APP} is not installed")
        if not self.roles:
            self.skipTest("no role to check: map group names to their permissions in roles")

    def test_groups_hold_their_permissions(self) -> None:
        self.defined_permissions()  # a mistyped permission is an error before any group is read
        self.for_each("group", self.roles, self.check_group)

    def check_group(self, name: str) -> None:
        wanted = self.roles[name]
        missing = self.missing_permissions(name)
        if missing is None:
            self.fail(f"group {name!r} does not exist; it should hold {', '.join(wanted)}")
        if missing:
            self.fail(f"group {name!r} lacks {len(missing)} of its {len(wanted)} permissions: {', '.join(missing)}")

    def missing_permissions(self, name: str, using: str | None = None) -> list[str] | None:
        """The permissions of ``roles[name]`` the group does not hold; ``None`` when there is no such group."""
        from django.contrib.auth.models import Group, Permission  # only importable with the app installed

        with self.failing_as(f"could not read group {name!r}"):
            group = Group.objects.db_manager(using).filter(name=name).first()
            if group is None:
                return None
            held = Permission.objects.db_manager(using).filter(group=group)
            codenames = {
                f"{app_label}.{codename}"
                for app_label, codename in held.values_list("content_type__app_label", "codename")
            }
        return [permission for permission in self.roles[name] if permission not in codenames]

    def defined_permissions(self) -> dict[str, tuple[Any, str]]:
        """Each permission of ``roles`` with the model that defines it and its
        name; one that no installed model defines is ``ImproperlyConfigured``."""
        defined: dict[str, tuple[Any, str]] = {}
        for model in apps.get_models():
            opts = model._meta
            names = [
                (f"{action}_{opts.model_name}", f"Can {action} {opts.verbose_name_raw}")
                for action in opts.default_permissions
            ]
            for codename, label in [*names, *opts.permissions]:
                defined.setdefault(f"{opts.app_label}.{codename}", (model, label))
        wanted: dict[str, tuple[Any, str]] = {}
        for group, permissions in self.roles.items():
            if isinstance(permissions, str) or not all(isinstance(permission, str) for permission in permissions):
                raise ImproperlyConfigured(
                    f"roles[{group!r}] must be a list of 'app_label.codename' strings, not {permissions!r}"
                )
            for permission in permissions:
                if permission not in defined:
                    raise ImproperlyConfigured(
                        f"roles[{group!r}] names the permission {permission!r}, which no installed model defines "
                        "(permissions are 'app_label.codename': a model's default add/change/delete/view ones "
                        "and its Meta.permissions)"
                    )
                wanted[permission] = defined[permission]
        return wanted

    def fix_plan(self) -> str:
        """The groups to create and the permissions to grant."""
        self.defined_permissions()
        using = self.fix_database()
        steps = []
        for name, permissions in self.roles.items():
            missing = self.missing_permissions(name, using)
            if missing is None:
                steps.append(f"create group {name!r} with {', '.join(permissions)}")
            elif missing:
                steps.append(f"grant group {name!r} {', '.join(missing)}")
        if not steps:
            raise NoFix("every group exists and holds its permissions")
        return "; ".join(steps)

    def fix(self) -> str:
        """Create the missing groups and grant the missing permissions, in one transaction."""
        from django.contrib.auth.models import Group, Permission
        from django.contrib.contenttypes.models import ContentType

        plan = self.fix_plan()
        defined = self.defined_permissions()
        using = self.fix_database()
        with transaction.atomic(using=using):
            for name, permissions in self.roles.items():
                missing = self.missing_permissions(name, using)
                group, _ = Group.objects.db_manager(using).get_or_create(name=name)
                granted = []
                for permission in permissions if missing is None else missing:
                    model, label = defined[permission]
                    content_type = ContentType.objects.db_manager(using).get_for_model(model, for_concrete_model=False)
                    row, _ = Permission.objects.db_manager(using).get_or_create(
                        content_type=content_type, codename=permission.partition(".")[2], defaults={"name": label}
                    )
                    granted.append(row)
                group.permissions.add(*granted)
        return plan

    def fix_database(self) -> str:
        """The alias the fix reads and writes: where the router writes groups."""
        from django.contrib.auth.models import Group

        return router.db_for_write(Group)
