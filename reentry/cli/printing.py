"""The print station and the ward PCs: print, reprint, cancel, prepare, read a code."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from reentry import clock, i18n
from reentry.cli.base import (
    EXIT_REFUSED,
    EXIT_STALE,
    Context,
    cli,
    user_errors,
)
from reentry.cli.signin import acting_user
from reentry.config import load_settings
from reentry.i18n import format_number, tr

# Who prints, reprints, cancels or prepares: a user who may (``Permission.PRINT`` /
# ``CANCEL_SHEETS``), signed in with their password; a scheduled job has its own account.
_OPERATOR = click.option("--user", "--operator", "operator", required=True,
                         help="Qui agit (compte Reentry, mot de passe demandé ou "
                              "REENTRY_PASSWORD) / who acts (a Reentry account).")


@cli.command("print")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Dossier des PDF / output folder.")
@click.option("--ward", "wards", multiple=True,
              help="Unité (UF) à imprimer, répétable ; défaut : toutes / ward code, repeatable.")
@click.option("--hours", type=click.FloatRange(1, 72), default=8.0, show_default=True,
              help="Durée couverte par les feuilles vierges (h) / outage window in hours.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
              default=None, help="Début de la panne (heure locale) ; défaut : l'heure en cours.")
@click.option("--admission-packets", type=click.IntRange(0, 50), default=2, show_default=True,
              help="Dossiers d'admission vierges par unité / blank admission packets per ward.")
@click.option("--per-patient", is_flag=True, help="Aussi un PDF par patient / one PDF per patient.")
@click.option("--printer", default=None,
              help="File d'impression CUPS ; sans elle, les PDF sont seulement écrits.")
@_OPERATOR
@click.pass_obj
@user_errors
def print_command(state: Context, out_dir: Path, wards: tuple[str, ...], hours: float,
                  start: datetime | None, admission_packets: int, per_patient: bool,
                  printer: str | None, operator: str) -> None:
    """Imprimer dossiers et feuilles vierges par unité / print dossiers and blank forms by ward.

    Every sheet is registered with its barcode before its PDF is written.
    """
    import time

    from reentry.printing.station import PrintRequest, print_batch

    request = PrintRequest(
        out_dir=out_dir, user=acting_user(state.store(), operator), wards=wards, hours=hours,
        admission_packets=admission_packets,
        start=start.replace(tzinfo=clock.hospital_zone()) if start else None,
        language=i18n.get_language(), per_patient=per_patient)
    began = time.perf_counter()
    outcome = print_batch(state.store(), request)
    for ward in outcome.wards:
        click.echo(tr("station.print_done", ward=ward.ward_code, pages=ward.pages,
                      sheets=ward.sheets, patients=ward.patients, pdf=ward.pdf))
        if printer:
            from reentry.printing.spool import print_pdf

            job = print_pdf(ward.pdf, printer, title=f"reentry-{outcome.batch_id}-{ward.ward_code}")
            click.echo(tr("station.sent", printer=printer, job=job.job_id))
    click.echo(tr("station.batch_done", batch=outcome.batch_id, pages=outcome.pages,
                  seconds=format_number(time.perf_counter() - began, 1)))


@cli.command()
@click.argument("ipp")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Dossier du PDF / output folder.")
@click.option("--hours", type=click.FloatRange(1, 72), default=8.0, show_default=True)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
              default=None, help="Début de la panne (heure locale) ; défaut : l'heure en cours.")
@_OPERATOR
@click.pass_obj
@user_errors
def reprint(state: Context, ipp: str, out_dir: Path, hours: float, start: datetime | None,
            operator: str) -> None:
    """Réimprimer les feuilles d'un patient / reprint one patient's sheets under new codes.

    The patient's earlier sheets of the same forms that have not come back are superseded:
    their codes are then refused with the code of the sheet that replaced them.
    """
    from reentry.printing.station import reprint_patient

    outcome = reprint_patient(
        state.store(), ipp, out_dir, user=acting_user(state.store(), operator), hours=hours,
        start=start.replace(tzinfo=clock.hospital_zone()) if start else None,
        language=i18n.get_language())
    click.echo(tr("station.reprint_done", pages=outcome.pages, sheets=len(outcome.serials),
                  pdf=outcome.pdf, batch=outcome.batch_id))


@cli.command("cancel-sheets")
@click.argument("codes", nargs=-1, required=True)
@click.option("--reason", required=True, help="Pourquoi ces feuilles sont annulées.")
@_OPERATOR
@click.pass_obj
@user_errors
def cancel_sheets(state: Context, codes: tuple[str, ...], reason: str, operator: str) -> None:
    """Annuler des feuilles imprimées / withdraw printed sheets, with a reason.

    A cancelled sheet's codes are refused from then on. Nothing is cancelled unless every code
    given is a known sheet.
    """
    from reentry.printing.station import cancel_sheets as cancel

    store = state.store()
    changed = cancel(store, codes, reason, acting_user(store, operator))
    click.echo(tr("station.cancel_done", count=changed, asked=len(codes)))


@cli.command()
@click.option("--dir", "root", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Dossier local du poste de l'unité / the ward PC's local folder.")
@click.option("--ward", "wards", multiple=True, help="Unité(s) de ce poste ; défaut : toutes.")
@click.option("--hours", type=click.FloatRange(1, 72), default=8.0, show_default=True)
@click.option("--max-age", "max_age", type=click.FloatRange(0.1, 24 * 30), default=None,
              help="Âge maximal des données (h) avant alerte ; défaut : réglage stale_after_hours.")
@click.option("--admission-packets", type=click.IntRange(0, 50), default=2, show_default=True)
@_OPERATOR
@click.pass_obj
@user_errors
def prepare(state: Context, root: Path, wards: tuple[str, ...], hours: float,
            max_age: float | None, admission_packets: int, operator: str) -> None:
    """Préparer les PDF d'une panne imprévue (tâche planifiée) / keep downtime PDFs ready.

    Re-renders the wards after each new snapshot and swaps the new set in only when complete.
    Exits with status 3 when the newest set is older than the allowed age.
    """
    from reentry.printing.prepare import prepare as prepare_set

    outcome = prepare_set(state.store(), root, user=acting_user(state.store(), operator),
                          wards=wards, hours=hours,
                          max_age_hours=max_age or load_settings().stale_after_hours,
                          language=i18n.get_language(), admission_packets=admission_packets)
    current = outcome.current
    assert current is not None
    key = "cli.prepare_refreshed" if outcome.refreshed else "cli.prepare_up_to_date"
    click.echo(tr(key, folder=current.folder, pages=current.pages,
                  as_of=clock.format_local(current.data_as_of)))
    if outcome.stale:
        hours_old = format_number(outcome.age.total_seconds() / 3600, 1) if outcome.age else "?"
        click.echo(tr("cli.prepare_stale", hours=hours_old,
                      as_of=clock.format_local(current.data_as_of)), err=True)
        sys.exit(EXIT_STALE)


@cli.command()
@click.argument("code")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_obj
@user_errors
def barcode(state: Context, code: str, output: str) -> None:
    """Résoudre un code de feuille / resolve a sheet's barcode.

    Prints the form instance, page and patient (or temporary identity); a wrong check digit, an
    unknown, superseded or cancelled code exits with status 2 and says why.
    """
    from reentry import display
    from reentry.barcodes import group_for_reading
    from reentry.registry import resolve_code

    resolution = resolve_code(state.store(), code)
    instance = resolution.instance
    if output == "json":
        payload: dict[str, Any] = {"code": resolution.code, "valid": resolution.ok,
                                   "reason": resolution.problem.render() if resolution.problem
                                   else None}
        if instance is not None:
            payload.update(
                serial=instance.serial, page=resolution.page, pages=instance.page_count,
                template=instance.template_id, template_version=instance.template_version,
                status=instance.status.value, batch=instance.batch_id, ward=instance.ward_code,
                ipp=instance.ipp, nda=instance.nda, temporary_id=instance.temporary_id,
                superseded_by=instance.superseded_by)
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif resolution.problem is not None:
        click.echo(tr("cli.barcode_refused", code=group_for_reading(resolution.code),
                      reason=resolution.problem.render()), err=True)
    else:  # as people name things: the form's title, the patient, the ward (JSON keeps codes)
        assert instance is not None
        store = state.store()
        patient = store.patient_by_ipp(instance.ipp) if instance.ipp else None
        who = (tr("cli.barcode_patient", name=display.full_name(patient), ipp=instance.ipp)
               if patient is not None
               else tr("cli.barcode_patient_ipp", ipp=instance.ipp) if instance.ipp
               else tr("cli.barcode_temporary", temporary=instance.temporary_id or "—"))
        ward = next((w.name for w in store.wards() if w.code == instance.ward_code), None)
        click.echo(tr("cli.barcode_found", code=group_for_reading(resolution.code),
                      form=display.form_title(instance.template_id), page=resolution.page,
                      pages=instance.page_count, who=who,
                      ward=tr("cli.progress_ward_name", name=ward, code=instance.ward_code)
                      if ward else instance.ward_code,
                      batch=instance.batch_id, status=tr(f"registry.status_{instance.status}")))
    if not resolution.ok:
        sys.exit(EXIT_REFUSED)
