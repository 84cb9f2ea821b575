"""Scanned stacks from the command line: import, list the manual queue, identify, set aside."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from reentry.cli.base import Context, cli, user_errors
from reentry.domain.entry import User
from reentry.i18n import tr
from reentry.progress import Progress


def _user(state: Context, username: str) -> User:
    from reentry.cli.signin import acting_user

    return acting_user(state.store(), username)


class _ProgressBar:
    """A bar on stderr when attached to a terminal, silent in scripts and cron."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.shown = 0

    def __call__(self, event: Progress) -> None:
        if not sys.stderr.isatty() or event.total < 2:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=event.total, label=tr("scans.progress_label"),
                                         file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(event.done - self.shown)
        self.shown = event.done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command("scan-import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=False, path_type=Path))
@click.option("--user", "username", required=True,
              help="Qui importe (compte existant) / who imports (an existing user).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processus de décodage (défaut : un par cœur) / decoding processes.")
@click.pass_obj
@user_errors
def scan_import(state: Context, paths: tuple[Path, ...], username: str,
                workers: int | None) -> None:
    """Importer des piles numérisées / import scanned stacks (PDF, TIFF, images, folders).

    Each page is attached to its sheet by its barcode and the sheet is marked returned; pages
    without a usable code wait in the manual queue (reentry scan-queue). Importing the same
    file again changes nothing; an interrupted import is completed by importing it again.
    """
    from reentry.scanning.importer import import_scans

    user = _user(state, username)
    bar = _ProgressBar()
    try:
        result = import_scans(state.store(), paths, user, progress=bar, workers=workers)
    finally:
        bar.close()
    for name, message in result.messages:
        click.echo(tr("scans.cli_file", file=name, message=message.render()))
    click.echo(tr("scans.cli_summary", files=result.files,
                  already=result.files_already_imported, pages=result.pages,
                  identified=result.identified, queued=result.queued, rescans=result.rescans,
                  returned=result.sheets_returned))


@cli.command("scan-queue")
@click.pass_obj
@user_errors
def scan_queue(state: Context) -> None:
    """Pages numérisées à identifier / scanned pages waiting for a person to identify them."""
    queue = state.store().manual_queue()
    if not queue:
        click.echo(tr("scans.cli_queue_empty"))
    for page in queue:
        click.echo(tr("scans.cli_queue_line", id=page.id, file=page.file_name,
                      page=page.page_index + 1, reason=page.message.render()))


@cli.command("scan-identify")
@click.argument("page_id", type=int)
@click.argument("code")
@click.option("--user", "username", required=True, help="Qui identifie / who identifies.")
@click.pass_obj
@user_errors
def scan_identify(state: Context, page_id: int, code: str, username: str) -> None:
    """Rattacher une page de la file à sa feuille / attach a queued page to the sheet code typed.

    The code is checked like a scanned one (12 digits, check digit, registry).
    """
    from reentry.barcodes import group_for_reading
    from reentry.scanning.queue import identify_page, resolve_typed_code

    store = state.store()
    user = _user(state, username)
    resolution = resolve_typed_code(store, code)
    identify_page(store, page_id, code, user)
    assert resolution.instance is not None
    click.echo(tr("scans.cli_identified", id=page_id, code=group_for_reading(resolution.code),
                  template=resolution.instance.template_id, page=resolution.page,
                  pages=resolution.instance.page_count))


@cli.command("scan-set-aside")
@click.argument("page_id", type=int)
@click.option("--reason", required=True, help="Pourquoi (page blanche…) / why (blank page…).")
@click.option("--user", "username", required=True, help="Qui décide / who decides.")
@click.pass_obj
@user_errors
def scan_set_aside(state: Context, page_id: int, reason: str, username: str) -> None:
    """Mettre de côté une page qui n'est pas une feuille / set aside a page that is not a sheet."""
    from reentry.scanning.queue import set_aside_page

    set_aside_page(state.store(), page_id, reason, _user(state, username))
    click.echo(tr("scans.cli_set_aside", id=page_id, reason=reason))
