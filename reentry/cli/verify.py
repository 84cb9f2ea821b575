"""Double entry from the command line: the mode per form, and the sheets waiting for a check."""

from __future__ import annotations

import click

from reentry import clock
from reentry.cli.base import Context, cli, user_errors
from reentry.i18n import tr


@cli.group("double-entry")
def double_entry() -> None:
    """Double saisie par formulaire / double entry per form: none, sighted or blind.

    See docs/double-entry.md for what each mode means and the defaults.
    """


@double_entry.command("show")
@click.pass_obj
@user_errors
def double_entry_show(state: Context) -> None:
    """Afficher le mode de chaque formulaire / show each form's mode."""
    from reentry.sheets.policy import policy

    for line in policy(state.store()):
        label = tr(f"verify.mode_{line.mode.value}")
        if line.is_default:
            click.echo(tr("verify.cli_show_default", template=line.template_id,
                          mode=line.mode.value, label=label))
        else:
            click.echo(tr("verify.cli_show_changed", template=line.template_id,
                          mode=line.mode.value, label=label, user=line.changed_by or "?",
                          when=clock.format_local(line.changed_at)))


@double_entry.command("set")
@click.argument("template")
@click.argument("mode", type=click.Choice(["none", "sighted", "blind"]))
@click.option("--user", "username", required=True,
              help="Qui décide (cadre de santé, qualité, administrateur) / who decides.")
@click.pass_obj
@user_errors
def double_entry_set(state: Context, template: str, mode: str, username: str) -> None:
    """Choisir le mode d'un formulaire / set one form's mode (audited).

    TEMPLATE is a form id (vital_signs, medication_administration, nursing_notes,
    transfer_discharge, downtime_admission); MODE is none, sighted or blind.
    """
    from reentry.cli.signin import acting_user
    from reentry.sheets.policy import set_mode

    store = state.store()
    line = set_mode(store, acting_user(store, username), template, mode)
    click.echo(tr("verify.cli_set_done", template=line.template_id, mode=line.mode.value,
                  label=tr(f"verify.mode_{line.mode.value}")))


@double_entry.command("pending")
@click.option("--ward", default=None, help="Code de l'unité (UF) / ward code.")
@click.pass_obj
@user_errors
def double_entry_pending(state: Context, ward: str | None) -> None:
    """Feuilles saisies en attente de vérification / entered sheets waiting for their check."""
    from reentry.barcodes import group_for_reading, page_code
    from reentry.formdefs import load_forms
    from reentry.verify.stage import awaiting

    store = state.store()
    forms = load_forms()
    waiting = awaiting(store, ward)
    if not waiting:
        click.echo(tr("verify.cli_pending_none"))
    for sheet in waiting:
        instance = store.form_instance(sheet.serial)
        form = forms.get(sheet.template_id)
        click.echo(tr("verify.cli_pending_line", ward=instance.ward_code if instance else "",
                      code=group_for_reading(page_code(sheet.serial, 1)),
                      form=form.title_in() if form else sheet.template_id,
                      patient=(instance.ipp or instance.temporary_id or "") if instance else "",
                      stage=tr(f"verify.stage_label_{sheet.stage.value}")))
