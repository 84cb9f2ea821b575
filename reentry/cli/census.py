"""Census and dossier: import SIH extracts, build the demo hospital, look at what is held."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reentry import clock
from reentry.cli.base import (
    Context,
    cli,
    echo_table,
    progress_bar,
    user_errors,
)
from reentry.config import load_settings
from reentry.errors import UserError
from reentry.i18n import tr
from reentry.model import CensusRow

if TYPE_CHECKING:
    from reentry.demo.accounts import DemoAccount

CENSUS_COLUMNS = (
    "ipp", "birth_name", "used_name", "given_names", "birth_date", "sex", "site", "ward",
    "room", "bed", "nda", "ins_nir", "identity_status", "admitted_at", "site_name", "ward_name",
)


@cli.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
@user_errors
def import_command(state: Context, files: tuple[Path, ...]) -> None:
    """Importer des fichiers du SIH (FHIR R4, HL7 v2.5, CSV) / import SIH files.

    Each file is stored whole or not at all; importing the same file twice changes nothing.
    Stops at the first file that cannot be imported.
    """
    from reentry.importing import import_files

    store = state.store()

    def report(path: Path, outcome: Any) -> None:
        if outcome.already_imported:
            click.echo(tr("cli.import_already", file=path.name))
            return
        counts = outcome.counts
        click.echo(tr("cli.import_done", file=path.name, format=outcome.snapshot.format,
                      patients=counts.get("patients", 0), stays=counts.get("stays", 0),
                      observations=counts.get("observations", 0),
                      as_of=clock.format_local(outcome.snapshot.data_as_of)))

    with progress_bar(files, tr("cli.import_progress")) as paths:
        import_files(store, paths, on_file_done=report)


@cli.command()
@click.option("--patients", type=click.IntRange(1, 20000), default=300, show_default=True,
              help="Nombre de patients hospitalisés / number of inpatients.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Graine : même graine, même hôpital / same seed, same hospital.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
              default=None, help="« Données du » (heure locale) ; défaut : l'heure pleine "
                                 "courante / data-as-of time, local.")
@click.option("--scenario", type=click.Choice(["hospital", "outage"]), default="hospital",
              show_default=True,
              help="« outage » : feuilles imprimées puis en partie ressaisies / an outage that "
                   "happened: sheets printed, some re-entered, some missing.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Dossier des PDF du scénario « outage » (défaut : à côté de la base).")
@click.pass_obj
@user_errors
def demo(state: Context, patients: int, seed: int, as_of: datetime | None, scenario: str,
         out_dir: Path | None) -> None:
    """Créer un hôpital fictif de démonstration / build a synthetic demo hospital."""
    from reentry.demo import create_demo
    from reentry.demo.accounts import create_demo_admin

    moment = as_of.replace(tzinfo=clock.hospital_zone()) if as_of else None
    store = state.store(create=True)
    before = {user.id for user in store.users()}
    admin = create_demo_admin(store)  # the first account of an empty database, else none
    if scenario == "outage":
        from reentry.demo.outage import create_outage_demo

        result = create_outage_demo(store, out_dir or state.beside_database("impressions"),
                                    patients=patients, seed=seed, as_of=moment)
        if result.already_done:
            click.echo(tr("cli.demo_outage_already", db=state.shown))
            return
        counts = result.sheets
        _echo_demo_accounts(state, before, admin)
        click.echo(tr("cli.demo_outage", db=state.shown, expected=counts.expected,
                      returned=counts.returned, entered=counts.entered,
                      verified=counts.verified, lost=counts.lost, not_used=counts.not_used,
                      missing=counts.missing, unaccounted=counts.unaccounted,
                      rows=result.typed_rows,
                      sih=result.sih_export or "—"))
        return
    outcome = create_demo(store, patients=patients, seed=seed, as_of=moment)
    _echo_demo_accounts(state, before, admin)
    if outcome.already_imported:
        click.echo(tr("cli.demo_already", db=state.shown))
    else:
        click.echo(tr("cli.demo_done", db=state.shown, patients=patients,
                      as_of=clock.format_local(outcome.snapshot.data_as_of)))


def _echo_demo_accounts(state: Context, before: set[int], admin: DemoAccount | None) -> None:
    """Passwords for the accounts this demo run created, shown this once."""
    from reentry.demo.accounts import give_demo_passwords

    given = [admin] if admin else []
    given += give_demo_passwords(state.store(), before)
    if given:
        click.echo(tr("auth.demo_accounts"))
    for account in given:
        click.echo(tr("auth.demo_account", username=account.username, role=account.role.value,
                      password=account.password))


@cli.command()
@click.option("--ward", "ward", default=None, help="Code de l'unité (UF) / ward code.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.pass_obj
@user_errors
def census(state: Context, ward: str | None, output: str) -> None:
    """Liste des patients hospitalisés, par unité et lit / current inpatients in bed order."""
    store = state.store()
    if ward is not None and ward not in {w.code for w in store.wards()}:
        known = ", ".join(sorted(w.code for w in store.wards())) or "—"
        raise UserError("error.unknown_ward", ward=ward, known=known)
    rows = [_census_record(row) for row in store.census(ward)]
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif output == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=CENSUS_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        _print_census_table(rows)


def _census_record(row: CensusRow) -> dict[str, str]:
    p, s = row.patient, row.stay
    return {
        "ipp": p.ipp or "", "birth_name": p.birth_name or "", "used_name": p.used_name or "",
        "given_names": p.given_names or "",
        "birth_date": p.birth_date.isoformat() if p.birth_date else "",
        "sex": p.sex.value if p.sex else "", "site": row.site.code, "ward": row.ward.code,
        "room": s.room or "", "bed": s.bed or "", "nda": s.nda, "ins_nir": p.ins_nir or "",
        "identity_status": p.identity_status.value if p.identity_status else "",
        "admitted_at": clock.local(s.admitted_at).isoformat() if s.admitted_at else "",
        "site_name": row.site.name, "ward_name": row.ward.name,
    }


def _print_census_table(rows: list[dict[str, str]]) -> None:
    if not rows:
        click.echo(tr("cli.census_empty"))
        return
    headers = [tr(f"cli.column_{c}") for c in
               ("ward", "room", "bed", "name", "given_names", "birth_date", "sex", "ipp")]
    table = [[r["ward_name"], r["room"], r["bed"],
              r["birth_name"] + (f" ({r['used_name']})" if r["used_name"] else ""),
              r["given_names"], r["birth_date"], r["sex"], r["ipp"]] for r in rows]
    echo_table(headers, table)


@cli.command()
@click.argument("ipp")
@click.option("--hours", type=click.FloatRange(1, 24 * 30), default=None,
              help="Profondeur des constantes et notes (h) / hours of vitals and notes.")
@click.pass_obj
@user_errors
def dossier(state: Context, ipp: str, hours: float | None) -> None:
    """Dossier d'un patient : identité, allergies, traitements, constantes, notes."""
    from reentry.dossier_text import dossier_text

    store = state.store()
    patient = store.patient_by_ipp(ipp)
    if patient is None or patient.id is None:
        raise UserError("error.patient_not_found", ipp=ipp)
    snapshot = store.latest_snapshot()
    window = timedelta(hours=hours or load_settings().dossier_hours)
    since = (snapshot.data_as_of if snapshot else clock.now()) - window
    click.echo(dossier_text(store.dossier(patient.id, since=since)))
