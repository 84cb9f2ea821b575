"""After the outage: users, re-entry progress and the export to the SIH."""

from __future__ import annotations

from pathlib import Path

import click

from reentry.cli.base import (
    Context,
    cli,
    user_errors,
)
from reentry.config import load_settings
from reentry.entry.model import Role
from reentry.i18n import tr
from reentry.sheets.state import EXPECTED


@cli.command("export")
@click.option("--format", "output", type=click.Choice(["fhir", "hl7", "csv"]), required=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Fichier à écrire / file to write.")
@click.option("--drill-ok", is_flag=True,
              help="Autoriser l'export d'une copie d'exercice / allow exporting a drill copy.")
@click.option("--verified-only", is_flag=True,
              help="Seulement les feuilles vérifiées (double saisie) / verified sheets only.")
@click.pass_obj
@user_errors
def export(state: Context, output: str, out_file: Path, drill_ok: bool,
           verified_only: bool) -> None:
    """Exporter vers le SIH ce qui a été ressaisi / export what was re-entered to the SIH.

    FHIR R4 transaction Bundle, HL7 v2.5 (ORU^R01 and RAS^O17) or the item CSV; late-entry and
    authorship carried over (docs/export.md). Items a format cannot carry are listed.
    """
    from reentry.events.drill import refuse_export_from_drill
    from reentry.export import export_items, left_out

    settings = load_settings()
    refuse_export_from_drill(state.store(), drill_ok)
    items = state.store().items()
    if verified_only:  # docs/double-entry.md: what "verified" covers
        verified = state.store().verified_items()
        click.echo(tr("verify.export_unverified_left", count=len(items) - len(verified)),
                   err=True)
        items = verified
    written = export_items(items, output, out_file, sender=settings.export_sender,
                           ipp_system=settings.ipp_system, nda_system=settings.nda_system)
    click.echo(tr("cli.export_done", count=written, total=len(items), file=out_file,
                  format=output))
    for item, reason in left_out(items, output):
        click.echo(tr("cli.export_left_out", item=item.id, reason=reason.render()), err=True)

@cli.group()
def users() -> None:
    """Comptes des personnes qui ressaisissent / the people who re-enter sheets."""


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Nom affiché / display name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.NURSE.value,
              show_default=True)
@click.pass_obj
@user_errors
def users_add(state: Context, username: str, display_name: str, role: str) -> None:
    """Créer un compte / add a user."""
    from reentry.entry import service

    user = service.add_user(state.store(), username, display_name, Role(role))
    click.echo(tr("cli.user_added", username=user.username, role=user.role.value))


@users.command("list")
@click.pass_obj
@user_errors
def users_list(state: Context) -> None:
    """Lister les comptes / list users."""
    for user in state.store().users():
        click.echo(f"{user.username}\t{user.display_name}\t{user.role.value}")


@cli.command()
@click.option("--ward", default=None, help="Code de l'unité (UF) / ward code.")
@click.option("--batch", type=int, default=None, help="Numéro de lot / batch number.")
@click.option("--state", "wanted", type=click.Choice([s.value for s in EXPECTED]), default=None,
    help="Seulement les feuilles dans cet état / only sheets in this state.")
@click.option("--format", "output", type=click.Choice(["table", "csv"]), default="table",
              show_default=True)
@click.pass_obj
@user_errors
def progress(state: Context, ward: str | None, batch: int | None, wanted: str | None,
             output: str) -> None:
    """Avancement de la ressaisie / re-entry progress: printed, returned, entered, missing."""
    from reentry.entry.progress import operators, sheets_csv, ward_progress
    from reentry.sheets.tracking import tracked_sheets

    store = state.store()
    sheets = tracked_sheets(store, ward_code=ward, batch_id=batch)
    if output == "csv":
        chosen = [s for s in sheets if wanted is None or s.state == wanted]
        click.echo(sheets_csv(chosen), nl=False)
        return
    for line in ward_progress(sheets):
        counts = line.sheets
        click.echo(tr("cli.progress_ward", ward=line.ward_code, printed=counts.expected,
                      returned=counts.returned, entered=counts.entered,
                      verified=counts.verified, lost=counts.lost, not_used=counts.not_used,
                      missing=counts.missing))
        click.echo(tr("verify.progress_ward", to_verify=line.to_verify,
                      not_required=line.not_double_checked))
    if wanted:
        for sheet in sheets:
            if sheet.state == wanted:
                click.echo(f"  {sheet.ward_code}  {sheet.room or ''}-{sheet.bed or ''}  "
                           f"{sheet.template_id}  "
                           f"{sheet.patient_name or sheet.temporary_id or ''}  "
                           f"{sheet.ipp or ''}")
    for operator in operators(store):
        rate = operator.rows_per_hour
        click.echo(tr("cli.progress_operator", user=operator.username, rows=operator.rows,
                      rate=f"{rate:.0f}" if rate else "—"))
