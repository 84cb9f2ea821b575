"""What every command shares: the group, its context, user errors and exit codes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reentry import i18n
from reentry.config import default_db_location, load_settings
from reentry.errors import UserError
from reentry.i18n import tr
from reentry.store import SqlStore
from reentry.store.location import (
    DatabaseLocation,
    PostgresLocation,
    SqliteLocation,
    mask_passwords,
    parse_location,
)
from reentry.store.opening import open_database  # the app opens databases the same way

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USER_ERROR = 1
EXIT_REFUSED = 2  # a code that designates no usable sheet
EXIT_STALE = 3  # the prepared downtime set is older than allowed



def user_errors(command: F) -> F:
    """Turn a ``UserError`` into one translated line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except UserError as error:
            line = tr("cli.error_prefix", message=error.message())
            click.echo(mask_passwords(line), err=True)  # whatever the message quotes
            sys.exit(EXIT_USER_ERROR)

    return wrapper  # type: ignore[return-value]


def echo_table(headers: list[str], rows: list[list[str]]) -> None:
    """Columns aligned on the widest cell, two spaces apart, no trailing blanks."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=False)]
    for line in [headers, *rows]:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())


DB_HELP = ("Base : fichier SQLite existant ou adresse postgresql://utilisateur@serveur/base "
           "(défaut : $REENTRY_DB, sinon le dossier de données) ; « reentry db init » la crée / "
           "database: an existing SQLite file or a postgresql:// URL.")
LANG_HELP = "Langue des messages et des documents (fr par défaut) / language (fr by default)."


class Context:
    """What the command line was told: where the database is, and its store once opened.

    The location stays the text it was given until a command needs it, so that ``--db`` after
    the command name can replace the one before, and a bad ``REENTRY_DB`` stops only the
    commands that use the database, with a one-line message.
    """

    def __init__(self, db: str | Path | None = None) -> None:
        self.given = db
        self._store: SqlStore | None = None

    @property
    def location(self) -> DatabaseLocation:
        return parse_location(self.given if self.given is not None else default_db_location())

    @property
    def shown(self) -> str:
        """The location fit for a message: a server URL's password masked."""
        return self.location.shown

    @property
    def db(self) -> Path:
        """The SQLite file (a drill copies it); refused for a server."""
        return sqlite_path(self.location)

    def beside_database(self, name: str) -> Path:
        """A folder beside the database file, or in the current folder for a server."""
        location = self.location
        return (location.path.parent if isinstance(location, SqliteLocation) else Path.cwd()) / name

    def exists(self) -> bool:
        """Whether the database is already there (a server database is set up when opened)."""
        location = self.location
        return isinstance(location, PostgresLocation) or location.path.is_file()

    def store(self, *, create: bool = False) -> SqlStore:
        """The store; only ``create=True`` (``db init``, ``demo``) makes a new database."""
        if self._store is None:
            self._store = open_database(self.location, create=create)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def sqlite_path(location: DatabaseLocation) -> Path:
    """The file of an embedded database, for the commands that work on a file (a drill copies
    it); a server is refused here, in one place, saying what to do instead."""
    if isinstance(location, PostgresLocation):
        raise UserError("db_location.needs_a_file", location=location.shown)
    return location.path


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    state = ctx.find_object(Context)
    if value is not None and state is not None:
        state.given = value


def _remember_lang(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        i18n.set_language(value)


def _shared_options() -> list[click.Parameter]:
    """``--db`` and ``--lang`` after a command's name; they override those given before it."""
    return [
        click.Option(["--db"], metavar="PATH|URL", default=None, expose_value=False,
                     is_eager=True, callback=_remember_db, help=DB_HELP),
        click.Option(["--lang"], type=click.Choice(i18n.LANGUAGES), default=None,
                     expose_value=False, is_eager=True, callback=_remember_lang, help=LANG_HELP),
    ]


class CommandGroup(click.Group):
    """A group whose every command, sub-group and sub-command takes ``--db`` and ``--lang``
    after its name too (``reentry census --db x.sqlite``), as a runbook may write them."""

    group_class = type  # sub-groups are CommandGroups: their commands get the options too

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.params.extend(_shared_options())
        super().add_command(cmd, name)


@click.group(cls=CommandGroup,
             help="Reentry : préparer, traverser et solder une panne du SIH sans perdre une note "
                  "papier. / Carry a hospital through an information-system outage.")
@click.option("--db", metavar="PATH|URL", default=None, help=DB_HELP)
@click.option("--lang", type=click.Choice(i18n.LANGUAGES), default=None, help=LANG_HELP)
@click.version_option(package_name="reentry")
@click.pass_context
def cli(ctx: click.Context, db: str | None, lang: str | None) -> None:
    i18n.set_language(lang or load_settings().language)
    state = Context(db)
    ctx.obj = state
    ctx.call_on_close(state.close)


class progress_bar:
    """A progress bar on stderr when attached to a terminal; silent in scripts and cron."""

    def __init__(self, items: tuple[Path, ...], label: str) -> None:
        self.items = items
        self.label = label
        self.bar: Any = None

    def __enter__(self) -> Any:
        if sys.stderr.isatty() and len(self.items) > 1:
            self.bar = click.progressbar(self.items, label=self.label, file=sys.stderr)
            return self.bar.__enter__()
        return self.items

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

