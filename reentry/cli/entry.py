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
from reentry.domain.entry import Role
from reentry.domain.sheet_state import EXPECTED
from reentry.errors import UserError
from reentry.i18n import tr
from reentry.sheets.tracking import TrackedSheet


@cli.command("export")
@click.option("--format", "output", type=click.Choice(["fhir", "hl7", "csv"]), required=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Fichier à écrire / file to write.")
@click.option("--drill-ok", is_flag=True,
              help="Autoriser l'export d'une copie d'exercice / allow exporting a drill copy.")
@click.option("--verified-only", is_flag=True,
              help="Seulement les feuilles vérifiées (double saisie) / verified sheets only.")
@click.option("--user", "username", required=True,
              help="Votre compte Reentry (mot de passe demandé ou REENTRY_PASSWORD) / "
                   "your Reentry account.")
@click.pass_obj
@user_errors
def export(state: Context, output: str, out_file: Path, drill_ok: bool,
           verified_only: bool, username: str) -> None:
    """Exporter vers le SIH ce qui a été ressaisi / export what was re-entered to the SIH.

    FHIR R4 transaction Bundle, HL7 v2.5 (ORU^R01 and RAS^O17) or the item CSV; late-entry and
    authorship carried over (docs/export.md). Items a format cannot carry are listed. Who
    exported what is kept in the audit trail.
    """
    from reentry.cli.signin import acting_user
    from reentry.export.service import export_entries

    settings = load_settings()
    store = state.store()
    outcome = export_entries(store, acting_user(store, username), output, out_file,
                             verified_only=verified_only, drill_ok=drill_ok,
                             sender=settings.export_sender, ipp_system=settings.ipp_system,
                             nda_system=settings.nda_system)
    if outcome.unverified is not None:
        click.echo(tr("verify.export_unverified_left", count=outcome.unverified), err=True)
    click.echo(tr("cli.export_done", count=outcome.written, total=outcome.total, file=out_file,
                  format=output))
    for item, reason in outcome.left_out:
        click.echo(tr("cli.export_left_out", item=item.id, reason=reason.render()), err=True)


@cli.group()
def users() -> None:
    """Comptes des personnes qui ressaisissent / the people who re-enter sheets."""


_ACTING = click.option("--user", "acting", default=None,
                       help="Administrateur qui agit (son mot de passe est demandé) / the admin "
                            "acting (asked for their password, or REENTRY_PASSWORD).")
_STDIN = click.option("--password-stdin", is_flag=True,
                      help="Lire le nouveau mot de passe sur l'entrée standard (une ligne) / "
                           "read the new password from standard input (one line).")


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Nom affiché / display name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.NURSE.value,
              show_default=True)
@_ACTING
@_STDIN
@click.pass_obj
@user_errors
def users_add(state: Context, username: str, display_name: str, role: str, acting: str | None,
              password_stdin: bool) -> None:
    """Créer un compte et son mot de passe / add a user with a password.

    Only an admin (--user) adds accounts, except the first one while nobody can sign in (an
    empty database, or one from before passwords), which must be an admin. The new password is
    typed twice, or read once with --password-stdin.
    """
    from reentry import auth
    from reentry.cli.signin import acting_user, new_secret

    store = state.store()
    by = None
    if store.accounts_able_to_sign_in():
        if acting is None:
            raise UserError("auth.acting_user_required")
        from reentry.domain.permissions import Permission, require

        by = acting_user(store, acting)
        require(by, Permission.MANAGE_USERS)  # refused before a new password is asked
    elif Role(role) is not Role.ADMIN:
        raise UserError("auth.first_admin_only")
    secret = new_secret(username.strip(), password_stdin)
    user = auth.create_account(store, username, display_name, Role(role), secret, by)
    click.echo(tr("auth.user_added", username=user.username, role=user.role.value))


@users.command("passwd")
@click.argument("username")
@_ACTING
@_STDIN
@click.pass_obj
@user_errors
def users_passwd(state: Context, username: str, acting: str | None,
                 password_stdin: bool) -> None:
    """Changer un mot de passe / change a password.

    Your own (your current password is asked), or anyone's as an admin (--user ADMIN).
    """
    from reentry import auth
    from reentry.cli.signin import acting_user, configured_directory, new_secret

    store = state.store()
    by = acting_user(store, acting or username)
    directory = configured_directory()
    auth.password_change_target(store, username, by, directory)  # refused before it is typed
    secret = new_secret(username.strip(), password_stdin)
    user = auth.change_password(store, username, secret, by, directory)
    click.echo(tr("auth.password_changed", username=user.username))


@users.command("disable")
@click.argument("username")
@click.option("--user", "acting", required=True,
              help="Administrateur qui agit / the admin acting.")
@click.pass_obj
@user_errors
def users_disable(state: Context, username: str, acting: str) -> None:
    """Désactiver un compte (son historique reste) / disable an account (its history stays)."""
    from reentry import auth
    from reentry.cli.signin import acting_user

    store = state.store()
    user = auth.disable_user(store, username, acting_user(store, acting))
    click.echo(tr("auth.user_disabled", username=user.username))


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
    help="Lister les feuilles dans cet état, avec leur code / list the sheets in this state, "
         "with their code.")
@click.option("--format", "output", type=click.Choice(["table", "csv"]), default="table",
              show_default=True)
@click.pass_obj
@user_errors
def progress(state: Context, ward: str | None, batch: int | None, wanted: str | None,
             output: str) -> None:
    """Avancement de la ressaisie / re-entry progress: expected, returned, entered, missing.

    Per ward: the sheets expected back and what became of them, counted as the event accounting
    and the quality report count them (docs/events.md); with --state, those sheets one per
    line, by the code printed under their barcode. Then each operator's rows and pace, over the
    time actually worked (breaks over 15 minutes left out).
    """
    from reentry import display
    from reentry.barcodes import group_for_reading, page_code
    from reentry.entry.progress import (
        PAUSE,
        operators,
        pace_text,
        sheets_csv,
        ward_progress,
        worked_text,
    )
    from reentry.sheets.tracking import tracked_sheets

    store = state.store()
    sheets = tracked_sheets(store, ward_code=ward, batch_id=batch)
    if output == "csv":
        chosen = [s for s in sheets if wanted is None or s.state == wanted]
        click.echo(sheets_csv(chosen), nl=False)
        return
    names = {w.code: w.name for w in store.wards()}

    def ward_text(code: str) -> str:
        return tr("cli.progress_ward_name", name=names[code], code=code) if names.get(
            code) else code

    for line in ward_progress(sheets):
        counts = line.sheets
        click.echo(tr("cli.progress_ward", ward=ward_text(line.ward_code),
                      printed=counts.expected, returned=counts.returned,
                      entered=counts.entered, verified=counts.verified, lost=counts.lost,
                      not_used=counts.not_used, missing=counts.missing,
                      unaccounted=counts.unaccounted))
        click.echo(tr("verify.progress_ward", to_verify=line.to_verify,
                      not_required=line.not_double_checked))
    if sheets:
        click.echo(tr("entry.counts_legend"))
    if wanted:
        for sheet in sheets:
            if sheet.state == wanted:
                click.echo(tr(
                    "cli.progress_sheet", code=group_for_reading(page_code(sheet.serial, 1)),
                    ward=names.get(sheet.ward_code) or sheet.ward_code,
                    place=" ".join(p for p in (sheet.room, sheet.bed) if p) or "—",
                    form=display.form_title(sheet.template_id), who=_who(sheet)))
    people = operators(store)
    for operator in people:
        click.echo(tr("cli.progress_operator", user=operator.username, rows=operator.rows,
                      worked=worked_text(operator.worked), sittings=operator.sittings,
                      rate=pace_text(operator)))
    if people:
        click.echo(tr("entry.pace_legend", pause=int(PAUSE.total_seconds() // 60)))


def _who(sheet: TrackedSheet) -> str:
    """« DUPONT Marie, IPP 123 », or the temporary identity of a downtime admission."""
    if sheet.ipp and sheet.patient_name:
        return tr("cli.barcode_patient", name=sheet.patient_name, ipp=sheet.ipp)
    if sheet.ipp:
        return tr("cli.barcode_patient_ipp", ipp=sheet.ipp)
    return tr("cli.barcode_temporary", temporary=sheet.temporary_id or "—")
