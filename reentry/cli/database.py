"""The database itself: ``reentry db init`` creates one, and nothing else does by accident."""

from __future__ import annotations

import click

from reentry.cli.base import Context, cli, user_errors
from reentry.i18n import tr


@cli.group("db")
def db_group() -> None:
    """La base de données / the database (SQLite file or PostgreSQL server)."""


@db_group.command("init")
@click.argument("location", metavar="[PATH|URL]", required=False)
@click.pass_obj
@user_errors
def db_init(state: Context, location: str | None) -> None:
    """Créer une base vide / create an empty Reentry database.

    PATH (default: --db, $REENTRY_DB, else the user's data folder) is created with its folder;
    an existing database is only brought up to date, its data untouched. Every other command
    refuses a database that does not exist, so that a typo never starts an empty hospital.
    """
    if location is not None:
        state.given = location
    existed = state.exists()
    state.store(create=True)
    click.echo(tr("db_cli.exists" if existed else "db_cli.created", location=state.shown))
