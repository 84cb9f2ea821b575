"""Reconciliation: what reached the SIH, and which temporary identity is whom."""

from __future__ import annotations

from pathlib import Path

import click

from reentry.cli.base import (  # noqa: F401
    EXIT_REFUSED,
    EXIT_STALE,
    EXIT_USER_ERROR,
    Context,
    cli,
    progress_bar,
    user_errors,
)
from reentry.i18n import tr


@cli.command("link-identities")
@click.argument("left", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("right", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="links.csv : id_left, id_right, score, decision…")
@user_errors
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
@user_errors
def reconcile(state: Context, sih_files: tuple[Path, ...], paper_file: Path | None,
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
