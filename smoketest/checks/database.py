"""Databases answer, run a supported server version and accept writes;
every migration is applied."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from smoketest import NoFix
from smoketest.checks.base import BuiltinCheck, unique_name

#: The keys of ``DatabaseSmoke.min_versions`` for Django's own backends.
VENDORS = ("postgresql", "mysql", "mariadb", "sqlite", "oracle")


class DatabaseSmoke(BuiltinCheck):
    """Every database alias answers a query, runs a server version no older
    than ``min_versions`` names for its vendor, and accepts a write (rolled back)."""

    tags = frozenset({"builtin", "database"})
    #: Aliases to check; ``None`` means every alias in ``DATABASES``.
    aliases: Sequence[str] | None = None
    #: Aliases that are only queried, never written to (read replicas).
    read_only_aliases: Sequence[str] = ()
    #: The oldest server version supported, per vendor: ``{"postgresql": (14,),
    #: "mariadb": (10, 6)}``. ``"mysql"`` is MySQL only, ``"mariadb"`` MariaDB;
    #: ``"sqlite"`` is the SQLite library Python uses. A vendor not named is not checked.
    min_versions: Mapping[str, tuple[int, ...]] = {}

    def test_databases_answer_and_accept_writes(self) -> None:
        self.check_min_versions()
        self.for_each("database", _chosen(self.aliases), self.check_alias)

    def check_alias(self, alias: str) -> None:
        self.check_query(alias)
        self.check_version(alias)
        if alias not in self.read_only_aliases:
            self.check_write(alias)

    def check_min_versions(self) -> None:
        """``min_versions`` names known vendors and gives each a tuple of integers."""
        known = {*VENDORS, *(connections[alias].vendor for alias in connections)}
        for vendor, version in self.min_versions.items():
            if vendor not in known:
                raise ImproperlyConfigured(
                    f"min_versions names the database vendor {vendor!r}; known vendors: {', '.join(sorted(known))}"
                )
            if not (isinstance(version, tuple) and version and all(type(part) is int for part in version)):
                raise ImproperlyConfigured(
                    f"min_versions[{vendor!r}] must be a tuple of integers such as (14,) or (10, 6), not {version!r}"
                )

    def check_version(self, alias: str) -> None:
        """The server's version is at least the minimum set for its vendor."""
        connection = connections[alias]
        vendor = connection.vendor
        if vendor == "mysql" and connection.mysql_is_mariadb:
            vendor = "mariadb"
        minimum = self.min_versions.get(vendor)
        if minimum is None:
            return
        with self.failing_as(f"could not read the server version of database {alias!r} ({vendor})"):
            version = tuple(connection.get_database_version())
        if version < minimum:
            self.fail(
                f"database {alias!r} runs {connection.display_name} {_dotted(version)}, below the minimum "
                f"{_dotted(minimum)} (min_versions[{vendor!r}])"
            )

    def check_query(self, alias: str) -> None:
        connection = connections[alias]
        failing = self.failing_as(f"database {alias!r} ({connection.vendor}) did not answer a query")
        with failing, connection.cursor() as cursor:
            cursor.execute(f"SELECT 1{connection.features.bare_select_suffix}")
            self.assertEqual(cursor.fetchone()[0], 1)

    def check_write(self, alias: str) -> None:
        """Insert a row into ``django_migrations`` (a table every migrated
        database has) and read it back by its primary key, in plain SQL (the
        ORM's create and exists cost more than their round trips); the
        test's rollback removes it. The alias's last check: a refused write
        leaves its transaction unusable (no savepoint, which would cost two
        more round trips every time)."""
        connection = connections[alias]
        self.require_rolled_back(alias, "write a test row")
        insert, returning, select = _write_sql(connection)
        failing = self.failing_as(f"database {alias!r} ({connection.vendor}) refused a write")
        with failing, connection.cursor() as cursor:
            cursor.execute(insert, ("smoketest", unique_name()))
            if returning:
                pk = cursor.fetchone()[0]
            else:
                meta = MigrationRecorder.Migration._meta
                pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
            cursor.execute(select, (pk,))
            found = cursor.fetchone()
        self.assertEqual(found and found[0], 1, "the row just written cannot be read back")


def _write_sql(connection: BaseDatabaseWrapper) -> tuple[str, bool, str]:
    """``check_write``'s INSERT (and whether it returns the new primary key)
    and its SELECT by primary key; made once per vendor and kind of INSERT
    (MariaDB returns the key, MySQL does not)."""
    # Oracle's RETURNING needs an output variable: it asks for the id instead, as MySQL does.
    returning = connection.features.can_return_columns_from_insert and connection.vendor != "oracle"
    made = _WRITE_SQL.get((connection.vendor, returning))
    if made is None:
        meta, quote = MigrationRecorder.Migration._meta, connection.ops.quote_name
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        app, name, applied = (quote(meta.get_field(field).column) for field in ("app", "name", "applied"))
        insert = f"INSERT INTO {table} ({app}, {name}, {applied}) VALUES (%s, %s, CURRENT_TIMESTAMP)"
        if returning:
            insert += f" RETURNING {pk}"
        select = f"SELECT COUNT(*) FROM {table} WHERE {pk} = %s"
        made = _WRITE_SQL[connection.vendor, returning] = (insert, returning, select)
    return made


_WRITE_SQL: dict[tuple[str, bool], tuple[str, bool, str]] = {}


class MigrationsSmoke(BuiltinCheck):
    """No database alias has unapplied (or conflicting) migrations."""

    tags = frozenset({"builtin", "database", "migrations"})
    #: Aliases to check; ``None`` means every alias in ``DATABASES``.
    aliases: Sequence[str] | None = None
    #: How many missing migrations a failure names.
    listed: int = 5

    def test_no_unapplied_migrations(self) -> None:
        self.for_each("database", _chosen(self.aliases), self.check_alias)

    def check_alias(self, alias: str) -> None:
        conflicts, missing = self.migration_state(alias)
        if conflicts:
            self.fail(f"conflicting migrations (run makemigrations --merge): {conflicts}")
        if missing:
            self.fail(f"database {alias!r} has {len(missing)} unapplied migrations: {self.listing(missing)}")

    def migration_state(self, alias: str) -> tuple[str, list[str]]:
        """The conflicting migrations (described, ``""`` for none) and the unapplied ones of ``alias``."""
        with self.failing_as(f"could not read the migrations of database {alias!r}"):
            executor = MigrationExecutor(connections[alias])
            conflicts = executor.loader.detect_conflicts()
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        described = "; ".join(f"{app}: {', '.join(sorted(names))}" for app, names in sorted(conflicts.items()))
        return described, [f"{migration.app_label}.{migration.name}" for migration, _ in plan]

    def fix_plan(self) -> str:
        """The ``migrate`` each alias with unapplied migrations needs."""
        steps = []
        for alias in _chosen(self.aliases):
            conflicts, missing = self.migration_state(alias)
            if conflicts:
                raise NoFix(f"conflicting migrations need makemigrations --merge first: {conflicts}")
            if missing:
                steps.append(f"migrate database {alias!r}: apply {self.listing(missing)}")
        if not steps:
            raise NoFix("no unapplied migrations")
        return "; ".join(steps)

    def fix(self) -> str:
        """Run ``migrate`` on each alias with unapplied migrations."""
        plan = self.fix_plan()
        for alias in _chosen(self.aliases):
            if self.migration_state(alias)[1]:
                call_command("migrate", database=alias, interactive=False, verbosity=0)
        return plan

    def listing(self, names: list[str]) -> str:
        shown = ", ".join(names[: self.listed])
        rest = len(names) - self.listed
        return f"{shown} and {rest} more" if rest > 0 else shown


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


def _chosen(aliases: Sequence[str] | None) -> Sequence[str]:
    return list(connections) if aliases is None else aliases
