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


@db_group.command("copy")
@click.argument("source", metavar="SOURCE")
@click.argument("target", metavar="TARGET")
@user_errors
def db_copy(source: str, target: str) -> None:
    """Copier toute une base vers une base vide / copy a whole database into an empty one.

    SOURCE and TARGET are each a SQLite file or a postgresql:// URL: a print station that
    worked alone joins the server, or an audit takes a copy of the server in a file. TARGET
    is created if it is a new file, must hold no data, and is checked table by table (rows and
    SHA-256) before the copy is kept.
    """
    from reentry.cli.base import open_database
    from reentry.store.copy import copy_database
    from reentry.store.location import parse_location

    reader = open_database(parse_location(source))
    try:
        writer = open_database(parse_location(target), create=True)
        try:
            report = copy_database(reader.sql, writer.sql)
        finally:
            writer.close()
    finally:
        reader.close()
    for table in report.tables:
        click.echo(tr("db_cli.copied_table", table=table.table, rows=table.rows,
                      sha256=table.sha256[:16]))
    click.echo(tr("db_cli.copied", source=report.source, target=report.target,
                  tables=len(report.tables), rows=report.rows))
