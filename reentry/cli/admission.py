"""Downtime admissions: the patients admitted under a temporary identity during the outage."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from reentry import clock, display
from reentry.cli.base import Context, cli, user_errors
from reentry.errors import UserError
from reentry.i18n import tr

CSV_COLUMNS = ("temporary_id", "ward", "room", "bed", "admitted_at", "birth_name", "used_name",
               "given_names", "birth_date", "sex", "birthplace_insee", "link_status", "ipp",
               "entered_by", "entered_at")


@cli.group()
def admissions() -> None:
    """Admissions en mode dégradé / patients admitted under a temporary identity."""


@admissions.command("list")
@click.option("--ward", default=None, help="Code de l'unité (UF) / ward code.")
@click.option("--format", "output", type=click.Choice(["table", "csv"]), default="table",
              show_default=True)
@click.pass_obj
@user_errors
def admissions_list(state: Context, ward: str | None, output: str) -> None:
    """Patients admis sous identité provisoire / provisional patients, their temporary code,
    ward, bed, admission time and whether identity vigilance has linked them yet."""
    from reentry.admission.service import provisional_patients
    from reentry.domain.admission import temporary_code_text

    store = state.store()
    if ward is not None and ward not in {w.code for w in store.wards()}:
        known = ", ".join(sorted(w.code for w in store.wards())) or "—"
        raise UserError("error.unknown_ward", ward=ward, known=known)
    rows = provisional_patients(store, ward)
    if output == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            a, p = row.admission, row.patient
            writer.writerow([
                a.temporary_code, a.ward_code, a.room or "", a.bed or "",
                clock.local(a.admitted_at).isoformat(timespec="minutes"), p.birth_name or "",
                p.used_name or "", p.given_names or "",
                p.birth_date.isoformat() if p.birth_date else "", p.sex.value if p.sex else "",
                p.birthplace_insee or "", row.link_status.value, p.ipp or "", a.entered_by,
                clock.local(a.entered_at).isoformat(timespec="seconds")])
        click.echo(buffer.getvalue(), nl=False)
        return
    if not rows:
        click.echo(tr("admission.cli_empty"))
        return
    for row in rows:
        a, p = row.admission, row.patient
        click.echo(tr(
            "admission.cli_line", code=temporary_code_text(a.temporary_code), ward=a.ward_code,
            place=display.location_text(None, None, a.room, a.bed),
            when=clock.format_local(a.admitted_at, with_zone=False),
            name=display.full_name(p), birth=display.date_text(p.birth_date) or display.DASH,
            status=tr(f"admission.link_{row.link_status.value}", ipp=p.ipp or "")))


@admissions.command("identities")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Fichier CSV à écrire / CSV file to write.")
@click.pass_obj
@user_errors
def admissions_identities(state: Context, out_file: Path) -> None:
    """Écrire les identités provisoires non rattachées / write the provisional identities not
    linked yet as an identity file (the LEFT file of ``reentry link-identities``)."""
    from reentry.admission import write_identity_file

    count = write_identity_file(state.store(), out_file)
    click.echo(tr("admission.cli_identities_done", count=count, file=out_file))
