"""Reconciliation: what reached the SIH, and which temporary identity is whom."""

from __future__ import annotations

from pathlib import Path

import click

from reentry.cli.base import (
    Context,
    cli,
    user_errors,
)
from reentry.i18n import tr


@cli.command("link-identities")
@click.argument("left", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("right", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True,
              help="links.csv : id_left, id_right, score, decision, fields, reason, rank")
@user_errors
def link_identities(left: Path, right: Path, out_file: Path) -> None:
    """Rapprocher deux fichiers d'identités / link identities between two files.

    Columns: id, birth_name, used_name, given_names, birth_date, sex, birth_place, address,
    postcode, city, national_id (any may be empty). Decisions: link (strict traits confirmed
    by the birthplace, an identifier or the address, no close competitor), review (the
    identity-vigilance cell decides; the other plausible candidates follow, rank 2 to 5),
    no_match (nothing plausible).
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
@click.option("--user", "username", required=True,
              help="Qui lance le rapprochement (compte Reentry, mot de passe demandé ou "
                   "REENTRY_PASSWORD), tracé avec l'exécution.")
@click.option("--identities-left", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Identités provisoires (CSV de link-identities) à rapprocher ; "
                                 "défaut : les admissions en mode dégradé.")
@click.option("--sih-patients", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Patients du SIH (CSV de link-identities) ; défaut : les "
                                 "patients des exports FHIR / HL7.")
@click.pass_obj
@user_errors
def reconcile(state: Context, sih_files: tuple[Path, ...], paper_file: Path | None,
              out_dir: Path, username: str, identities_left: Path | None,
              sih_patients: Path | None) -> None:
    """Rapprocher le papier et le SIH / flag what is missing, different or doubled in the SIH.

    Writes DIR/verdicts.csv (item_id, verdict, ipp, kind, sih_ids, score, reason) and
    DIR/rapport.pdf, and stores the run in the database (its number is printed): its flags are
    then worked in the app or with ``reentry flags``. Resolutions of earlier runs are kept when
    an item is still flagged the same way (docs/review.md).
    """
    from reentry.cli.signin import acting_user
    from reentry.reconcile_run import run_reconciliation

    store = state.store()
    outcome = run_reconciliation(store, sih_files, paper_file, out_dir,
                                 user=acting_user(store, username),
                                 identities_left=identities_left, sih_patients=sih_patients)
    counts = outcome.counts
    click.echo(tr("cli.reconcile_done", in_sih=counts["in_sih"], differs=counts["differs"],
                  missing=counts["missing"], duplicate=counts["duplicate"],
                  unmatched=outcome.unmatched, folder=out_dir))
    changes = outcome.flag_changes
    click.echo(tr("review.run_stored", run=outcome.run_id,
                  flagged=changes.get("flagged", 0), kept=changes.get("kept", 0),
                  changed=changes.get("reopened_by_run", 0) + changes.get("verdict_changed", 0),
                  closed=changes.get("closed_by_run", 0) + changes.get("superseded", 0)))
    if outcome.identity_counts:
        ids = outcome.identity_counts
        click.echo(tr("identity.summary", link=ids.get("link", 0), review=ids.get("review", 0),
                      no_match=ids.get("no_match", 0)))
