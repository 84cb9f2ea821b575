"""The ``reentry`` command line: a thin click layer over the core.

Errors a person can fix are one line in the user's language and a non-zero exit; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

import csv
import functools
import json
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from reentry import clock, i18n
from reentry.config import default_db_path, load_settings
from reentry.entry.model import Role
from reentry.errors import UserError
from reentry.i18n import tr
from reentry.model import CensusRow
from reentry.store import SqliteStore, open_store

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USER_ERROR = 1
EXIT_REFUSED = 2  # a code that designates no usable sheet
EXIT_STALE = 3  # the prepared downtime set is older than allowed

CENSUS_COLUMNS = (
    "ipp", "birth_name", "used_name", "given_names", "birth_date", "sex", "site", "ward",
    "room", "bed", "nda", "ins_nir", "identity_status", "admitted_at", "site_name", "ward_name",
)


def _user_errors(command: F) -> F:
    """Turn a ``UserError`` into one translated line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except UserError as error:
            click.echo(tr("cli.error_prefix", message=error.message()), err=True)
            sys.exit(EXIT_USER_ERROR)

    return wrapper  # type: ignore[return-value]


class _Context:
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
    state = _Context(db or default_db_path())
    ctx.obj = state
    ctx.call_on_close(state.close)


@cli.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
@_user_errors
def import_command(state: _Context, files: tuple[Path, ...]) -> None:
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

    with _progress(files, tr("cli.import_progress")) as paths:
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
@_user_errors
def demo(state: _Context, patients: int, seed: int, as_of: datetime | None, scenario: str,
         out_dir: Path | None) -> None:
    """Créer un hôpital fictif de démonstration / build a synthetic demo hospital."""
    from reentry.demo import create_demo

    moment = as_of.replace(tzinfo=clock.hospital_zone()) if as_of else None
    if scenario == "outage":
        from reentry.demo.outage import create_outage_demo

        result = create_outage_demo(state.store(), out_dir or state.db.parent / "impressions",
                                    patients=patients, seed=seed, as_of=moment)
        click.echo(tr("cli.demo_outage_already" if result.already_done else "cli.demo_outage",
                      db=state.db, sheets=result.sheets, returned=result.returned,
                      rows=result.typed_rows))
        return
    outcome = create_demo(state.store(), patients=patients, seed=seed, as_of=moment)
    if outcome.already_imported:
        click.echo(tr("cli.demo_already", db=state.db))
    else:
        click.echo(tr("cli.demo_done", db=state.db, patients=patients,
                      as_of=clock.format_local(outcome.snapshot.data_as_of)))


@cli.command()
@click.option("--ward", "ward", default=None, help="Code de l'unité (UF) / ward code.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.pass_obj
@_user_errors
def census(state: _Context, ward: str | None, output: str) -> None:
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
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *table, strict=False)]
    for line in [headers, *table]:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())


@cli.command()
@click.argument("ipp")
@click.option("--hours", type=click.FloatRange(1, 24 * 30), default=None,
              help="Profondeur des constantes et notes (h) / hours of vitals and notes.")
@click.pass_obj
@_user_errors
def dossier(state: _Context, ipp: str, hours: float | None) -> None:
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
@click.option("--operator", default=None, help="Qui imprime (tracé dans le registre).")
@click.pass_obj
@_user_errors
def print_command(state: _Context, out_dir: Path, wards: tuple[str, ...], hours: float,
                  start: datetime | None, admission_packets: int, per_patient: bool,
                  printer: str | None, operator: str | None) -> None:
    """Imprimer dossiers et feuilles vierges par unité / print dossiers and blank forms by ward.

    Every sheet is registered with its barcode before its PDF is written.
    """
    import time

    from reentry.printing.station import PrintRequest, print_batch

    request = PrintRequest(
        out_dir=out_dir, wards=wards, hours=hours, admission_packets=admission_packets,
        start=start.replace(tzinfo=clock.hospital_zone()) if start else None,
        language=i18n.get_language(), per_patient=per_patient, operator=operator)
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
                  seconds=f"{time.perf_counter() - began:.1f}"))


@cli.command()
@click.argument("ipp")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Dossier du PDF / output folder.")
@click.option("--hours", type=click.FloatRange(1, 72), default=8.0, show_default=True)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
              default=None, help="Début de la panne (heure locale) ; défaut : l'heure en cours.")
@click.option("--operator", default=None, help="Qui réimprime (tracé dans le registre).")
@click.pass_obj
@_user_errors
def reprint(state: _Context, ipp: str, out_dir: Path, hours: float, start: datetime | None,
            operator: str | None) -> None:
    """Réimprimer les feuilles d'un patient / reprint one patient's sheets under new codes.

    The patient's earlier sheets of the same forms that have not come back are superseded:
    their codes are then refused with the code of the sheet that replaced them.
    """
    from reentry.printing.station import reprint_patient

    outcome = reprint_patient(
        state.store(), ipp, out_dir, hours=hours,
        start=start.replace(tzinfo=clock.hospital_zone()) if start else None,
        language=i18n.get_language(), operator=operator)
    click.echo(tr("station.reprint_done", pages=outcome.pages, sheets=len(outcome.serials),
                  pdf=outcome.pdf, batch=outcome.batch_id))


@cli.command("cancel-sheets")
@click.argument("codes", nargs=-1, required=True)
@click.option("--reason", required=True, help="Pourquoi ces feuilles sont annulées.")
@click.option("--operator", required=True, help="Qui annule (tracé dans le registre).")
@click.pass_obj
@_user_errors
def cancel_sheets(state: _Context, codes: tuple[str, ...], reason: str, operator: str) -> None:
    """Annuler des feuilles imprimées / withdraw printed sheets, with a reason.

    A cancelled sheet's codes are refused from then on. Nothing is cancelled unless every code
    given is a known sheet.
    """
    from reentry.barcodes import code_problem, normalise_typed_code, split_code

    store = state.store()
    serials = []
    for code in codes:
        problem = code_problem(code)
        serial = split_code(code).serial if problem is None else None
        if serial is None or store.form_instance(serial) is None:
            reason_text = problem.render() if problem else tr("registry.unknown_code",
                                                               code=normalise_typed_code(code))
            raise UserError("station.cannot_cancel", code=code, reason=reason_text)
        serials.append(serial)
    changed = store.cancel_sheets(serials, operator, reason)
    click.echo(tr("station.cancel_done", count=changed, asked=len(serials)))


@cli.command()
@click.option("--dir", "root", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Dossier local du poste de l'unité / the ward PC's local folder.")
@click.option("--ward", "wards", multiple=True, help="Unité(s) de ce poste ; défaut : toutes.")
@click.option("--hours", type=click.FloatRange(1, 72), default=8.0, show_default=True)
@click.option("--max-age", "max_age", type=click.FloatRange(0.1, 24 * 30), default=None,
              help="Âge maximal des données (h) avant alerte ; défaut : réglage stale_after_hours.")
@click.option("--admission-packets", type=click.IntRange(0, 50), default=2, show_default=True)
@click.pass_obj
@_user_errors
def prepare(state: _Context, root: Path, wards: tuple[str, ...], hours: float,
            max_age: float | None, admission_packets: int) -> None:
    """Préparer les PDF d'une panne imprévue (tâche planifiée) / keep downtime PDFs ready.

    Re-renders the wards after each new snapshot and swaps the new set in only when complete.
    Exits with status 3 when the newest set is older than the allowed age.
    """
    from reentry.printing.prepare import prepare as prepare_set

    outcome = prepare_set(state.store(), root, wards=wards, hours=hours,
                          max_age_hours=max_age or load_settings().stale_after_hours,
                          language=i18n.get_language(), admission_packets=admission_packets)
    current = outcome.current
    assert current is not None
    key = "cli.prepare_refreshed" if outcome.refreshed else "cli.prepare_up_to_date"
    click.echo(tr(key, folder=current.folder, pages=current.pages,
                  as_of=clock.format_local(current.data_as_of)))
    if outcome.stale:
        hours_old = f"{(outcome.age.total_seconds() / 3600):.1f}" if outcome.age else "?"
        click.echo(tr("cli.prepare_stale", hours=hours_old,
                      as_of=clock.format_local(current.data_as_of)), err=True)
        sys.exit(EXIT_STALE)


@cli.command()
@click.argument("code")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_obj
@_user_errors
def barcode(state: _Context, code: str, output: str) -> None:
    """Résoudre un code de feuille / resolve a sheet's barcode.

    Prints the form instance, page and patient (or temporary identity); a wrong check digit, an
    unknown, superseded or cancelled code exits with status 2 and says why.
    """
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
    else:
        assert instance is not None
        who = (tr("cli.barcode_patient", ipp=instance.ipp) if instance.ipp
               else tr("cli.barcode_temporary", temporary=instance.temporary_id or "—"))
        click.echo(tr("cli.barcode_found", code=group_for_reading(resolution.code),
                      template=instance.template_id, page=resolution.page,
                      pages=instance.page_count, who=who, ward=instance.ward_code,
                      batch=instance.batch_id, status=instance.status.value))
    if not resolution.ok:
        sys.exit(EXIT_REFUSED)


@cli.command("export")
@click.option("--format", "output", type=click.Choice(["fhir", "hl7", "csv"]), required=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Fichier à écrire / file to write.")
@click.pass_obj
@_user_errors
def export(state: _Context, output: str, out_file: Path) -> None:
    """Exporter vers le SIH ce qui a été ressaisi / export what was re-entered to the SIH.

    FHIR R4 transaction Bundle, HL7 v2.5 (ORU^R01 and RAS^O17) or the item CSV; late-entry and
    authorship carried over (docs/export.md). Items a format cannot carry are listed.
    """
    from reentry.export import export_items, left_out

    settings = load_settings()
    items = state.store().items()
    written = export_items(items, output, out_file, sender=settings.export_sender,
                           ipp_system=settings.ipp_system, nda_system=settings.nda_system)
    click.echo(tr("cli.export_done", count=written, total=len(items), file=out_file,
                  format=output))
    for item, reason in left_out(items, output):
        click.echo(tr("cli.export_left_out", item=item.id, reason=reason.render()), err=True)


@cli.command("link-identities")
@click.argument("left", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("right", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="links.csv : id_left, id_right, score, decision…")
@_user_errors
def link_identities(left: Path, right: Path, out_file: Path) -> None:
    """Rapprocher deux fichiers d'identités / link identities between two files.

    Columns: id, birth_name, used_name, given_names, birth_date, sex, birth_place, address,
    postcode, city, national_id (any may be empty). Decisions: link (strict, no close
    competitor), review (the identity-vigilance cell decides), no_match.
    """
    from reentry.reconcile.identity import link_identity_files

    summary = link_identity_files(left, right, out_file)
    click.echo(tr("cli.links_done", link=summary.link, review=summary.review,
                  no_match=summary.no_match, file=out_file))


@cli.command()
@click.option("--sih", "sih_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Export du SIH après reprise (FHIR, HL7 ORU, CSV d'éléments), répétable.")
@click.option("--paper", "paper_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Éléments papier en CSV ; défaut : ce qui a été ressaisi ici.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Dossier : verdicts.csv et rapport PDF.")
@click.pass_obj
@_user_errors
def reconcile(state: _Context, sih_files: tuple[Path, ...], paper_file: Path | None,
              out_dir: Path) -> None:
    """Rapprocher le papier et le SIH / flag what is missing, different or doubled in the SIH.

    Writes DIR/verdicts.csv (item_id, verdict, ipp, kind, sih_ids, score, reason) and
    DIR/rapport.pdf.
    """
    from reentry.reconcile_run import run_reconciliation

    outcome = run_reconciliation(state.store(), sih_files, paper_file, out_dir)
    counts = outcome.counts
    click.echo(tr("cli.reconcile_done", in_sih=counts["in_sih"], differs=counts["differs"],
                  missing=counts["missing"], duplicate=counts["duplicate"],
                  unmatched=outcome.unmatched, folder=out_dir))


@cli.group()
def users() -> None:
    """Comptes des personnes qui ressaisissent / the people who re-enter sheets."""


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Nom affiché / display name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.NURSE.value,
              show_default=True)
@click.pass_obj
@_user_errors
def users_add(state: _Context, username: str, display_name: str, role: str) -> None:
    """Créer un compte / add a user."""
    from reentry.entry import service

    user = service.add_user(state.store(), username, display_name, Role(role))
    click.echo(tr("cli.user_added", username=user.username, role=user.role.value))


@users.command("list")
@click.pass_obj
@_user_errors
def users_list(state: _Context) -> None:
    """Lister les comptes / list users."""
    for user in state.store().users():
        click.echo(f"{user.username}\t{user.display_name}\t{user.role.value}")


@cli.command()
@click.option("--ward", default=None, help="Code de l'unité (UF) / ward code.")
@click.option("--batch", type=int, default=None, help="Numéro de lot / batch number.")
@click.option("--state", "wanted", type=click.Choice(
    ["missing", "returned", "entered", "verified", "lost"]), default=None,
    help="Seulement les feuilles dans cet état / only sheets in this state.")
@click.option("--format", "output", type=click.Choice(["table", "csv"]), default="table",
              show_default=True)
@click.pass_obj
@_user_errors
def progress(state: _Context, ward: str | None, batch: int | None, wanted: str | None,
             output: str) -> None:
    """Avancement de la ressaisie / re-entry progress: printed, returned, entered, missing."""
    from reentry.entry.progress import operators, sheet_states, sheets_csv, ward_progress

    store = state.store()
    sheets = sheet_states(store, ward, batch)
    if output == "csv":
        chosen = [s for s in sheets if wanted is None or s.state == wanted]
        click.echo(sheets_csv(chosen), nl=False)
        return
    for line in ward_progress(sheets):
        click.echo(tr("cli.progress_ward", ward=line.ward_code, printed=line.printed,
                      returned=line.returned, entered=line.entered, verified=line.verified,
                      lost=line.lost, missing=line.missing))
    if wanted:
        for sheet in sheets:
            if sheet.state == wanted:
                click.echo(f"  {sheet.ward_code}  {sheet.room or ''}-{sheet.bed or ''}  "
                           f"{sheet.template_id}  {sheet.patient or sheet.temporary_id or ''}  "
                           f"{sheet.ipp or ''}")
    for operator in operators(store):
        rate = operator.rows_per_hour
        click.echo(tr("cli.progress_operator", user=operator.username, rows=operator.rows,
                      rate=f"{rate:.0f}" if rate else "—"))


class _progress:
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


def main() -> None:
    cli(prog_name="reentry")


if __name__ == "__main__":
    main()
