"""The scanned page as a second reader: ``reentry second-read``, field by field."""

from __future__ import annotations

import csv
import json
import sys

import click

from reentry.cli.base import EXIT_USER_ERROR, Context, cli, echo_table, user_errors
from reentry.i18n import tr


@cli.command("second-read")
@click.option("--sheet", "code", metavar="CODE", default=None,
              help="Une feuille, par le code imprimé sous son code-barres / one sheet, by its "
                   "printed code.")
@click.option("--ward", metavar="W", default=None,
              help="Les feuilles scannées d'un service / the scanned sheets of one ward.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True)
@click.pass_obj
@user_errors
def second_read(state: Context, code: str | None, ward: str | None, output: str) -> None:
    """Relecture des feuilles scannées / the scanned page as a second reader of the typing.

    For every field of each scanned page: the sheet's code, the page, the row as on the paper
    (its line and time, or the planned dose), the field as printed, the typed value, whether
    ink is found, what the machine read, its confidence and the verdict: agrees, differs,
    written_not_typed, typed_not_written or unsure (the machine cannot tell: never a
    disagreement). Pages not read yet are read once and the reading kept. A page whose corner
    marks cannot be found is named on stderr, to be rescanned. Nothing typed is changed.
    """
    from reentry.second_read.report import COLUMNS, second_read_report

    report = second_read_report(state.store(), code, ward)
    for problem in report.unreadable:
        click.echo(tr("cli.error_prefix", message=problem.render()), err=True)
    if not report.lines:  # every page asked for is to be rescanned
        sys.exit(EXIT_USER_ERROR)
    if output == "json":
        click.echo(json.dumps([line.as_dict() for line in report.lines], ensure_ascii=False,
                              indent=2))
    elif output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        for line in report.lines:
            data = line.as_dict()
            writer.writerow([data["code"], data["page"], data["row"], data["field"],
                             data["typed"] or "", data["ink"], data["reading"] or
                             data["reading_text"], "" if data["confidence"] is None
                             else data["confidence"], data["verdict"]])
    else:
        echo_table([tr(f"second_read.column_{c}") for c in COLUMNS],
                   [line.cells() for line in report.lines])
        click.echo(tr("second_read.summary", sheets=report.sheets, fields=len(report.lines),
                      disagreements=report.open, unsure=report.unsure))
