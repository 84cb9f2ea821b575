"""Reports for the quality team: the quality report of an event, and its audit pack."""

from __future__ import annotations

from pathlib import Path

import click

from reentry.cli.base import Context, cli, user_errors
from reentry.i18n import tr

_EVENT = click.option("--event", "event_id", type=int, required=True,
                      help="Numéro de l'événement de panne (reentry event list).")
_USER = click.option("--user", "username", required=True,
                     help="Votre compte Reentry (mot de passe demandé ou REENTRY_PASSWORD) / "
                          "your Reentry account.")


@cli.command("report")
@_EVENT
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Dossier où écrire le rapport (créé au besoin).")
@_USER
@click.pass_obj
@user_errors
def report(state: Context, event_id: int, out_dir: Path, username: str) -> None:
    """Rapport qualité d'une panne / quality report of an outage event.

    Writes DIR/rapport-qualite.pdf (per ward: sheets printed, returned, entered, verified,
    lost; items in the SIH, different, missing, doubled; time from the end of the outage to the
    closure of each flag; charts; every item still open), DIR/par-unite.csv and
    DIR/elements-ouverts.csv. Existing files of the same names are replaced.
    """
    from reentry.cli.signin import acting_user
    from reentry.reports.quality import write_quality_report

    store = state.store()
    files = write_quality_report(store, event_id, out_dir, user=acting_user(store, username))
    total = files.report.total
    click.echo(tr("reports.cli_done", event=event_id, pages=files.pages,
                  wards=len(files.report.wards), open=len(files.report.open_items),
                  unaccounted=total.sheets.unaccounted, flags=total.closure.open,
                  folder=files.folder))


@cli.command("audit-pack")
@_EVENT
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Dossier à créer (absent ou vide ; jamais écrasé).")
@_USER
@click.pass_obj
@user_errors
def audit_pack(state: Context, event_id: int, out_dir: Path, username: str) -> None:
    """Dossier d'audit d'une panne / audit pack of an outage event (continuity exercises).

    A new folder with the event record, the accounting of every sheet and its lifecycle, the
    reconciliation runs and verdicts, flags and resolutions, identity decisions, the audit log
    of the event, the quality report, a README and a manifest with the SHA-256 of every file.
    Refused if the folder exists and is not empty, and if the audit trail is broken (reentry
    audit verify); the manifest keeps the audit chain's head.
    """
    from reentry.cli.signin import acting_user
    from reentry.reports.audit_pack import write_audit_pack

    store = state.store()
    pack = write_audit_pack(store, event_id, out_dir, user=acting_user(store, username))
    click.echo(tr("reports.cli_pack_done", event=event_id, files=len(pack.files),
                  folder=pack.folder))
