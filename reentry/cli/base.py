"""What every command shares: the group, its context, user errors and exit codes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reentry import i18n
from reentry.config import default_db_path, load_settings
from reentry.errors import UserError
from reentry.i18n import tr
from reentry.store import SqliteStore, open_store

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
            click.echo(tr("cli.error_prefix", message=error.message()), err=True)
            sys.exit(EXIT_USER_ERROR)

    return wrapper  # type: ignore[return-value]


def db_option(command: F) -> F:
    """``--db PATH`` after the command name too (``reentry reconcile --db x.sqlite``), for the
    commands a runbook writes that way; it overrides the group's ``--db``."""

    def remember(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
        state = ctx.find_object(Context)
        if value is not None and state is not None:
            state.db = value

    return click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        expose_value=False, is_eager=True, callback=remember,
                        help="Base SQLite (remplace --db donné avant la commande).")(command)


class Context:
    def __init__(self, db: Path) -> None:
        self.db = db
        self._store: SqliteStore | None = None

    def store(self) -> SqliteStore:
        if self._store is None:
            self._store = open_store(self.db)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


@click.group(help="Reentry : préparer, traverser et solder une panne du SIH sans perdre une note "
                  "papier. / Carry a hospital through an information-system outage.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Base SQLite (défaut : dossier de données de l'utilisateur, ou $REENTRY_DB).")
@click.option("--lang", type=click.Choice(i18n.LANGUAGES), default=None,
              help="Langue des messages (fr par défaut) / message language.")
@click.version_option(package_name="reentry")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, lang: str | None) -> None:
    i18n.set_language(lang or load_settings().language)
    state = Context(db or default_db_path())
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

