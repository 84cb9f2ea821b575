"""The quality team's flags from the command line: list them, resolve or reopen one."""

from __future__ import annotations

import click

from reentry import clock
from reentry.cli.base import Context, cli, user_errors
from reentry.domain.review import VERDICTS, ResolutionReason
from reentry.i18n import tr


@cli.group()
def flags() -> None:
    """Écarts du rapprochement / reconciliation flags (differs, missing, duplicate)."""


@flags.command("list")
@click.option("--run", "run_id", type=int, default=None,
              help="Numéro d'exécution du rapprochement ; défaut : la dernière.")
@click.option("--verdict", type=click.Choice(VERDICTS), default=None,
              help="Seulement ce verdict / only this verdict.")
@click.option("--ward", default=None, help="Code de l'unité (UF) / ward code.")
@click.option("--open", "open_only", is_flag=True, help="Seulement les écarts ouverts.")
@click.pass_obj
@user_errors
def flags_list(state: Context, run_id: int | None, verdict: str | None, ward: str | None,
               open_only: bool) -> None:
    """Lister les écarts d'une exécution / list the flags of a run, one per line (tab-separated).

    Columns: item key, status, verdict, ward, IPP, kind, code, paper time, resolution, reason.
    """
    from reentry.review import service

    store = state.store()
    run = service.run_or_latest(store, run_id)
    rows = service.flags(store, run.id, verdict=verdict, ward=ward, open_only=open_only)
    click.echo(tr("review.list_heading", run=run.id, at=clock.format_local(run.at),
                  count=len(rows)))
    for f in rows:
        click.echo("\t".join((
            f.item_key, tr(f"review.status.{f.status}"), f.run_verdict, f.ward_code,
            f.ipp or f.temporary_id, f.kind, f.code,
            clock.format_local(f.effective_time, with_zone=False),
            f.resolution or "", f.reason_text())))


@flags.command("resolve")
@click.argument("item_key")
@click.option("--reason", type=click.Choice([r.value for r in ResolutionReason]),
              required=True, help="Motif de la résolution / why the flag is closed.")
@click.option("--comment", default=None, help="Commentaire (obligatoire avec « other »).")
@click.option("--user", "username", required=True, help="Votre compte Reentry.")
@click.pass_obj
@user_errors
def flags_resolve(state: Context, item_key: str, reason: str, comment: str | None,
                  username: str) -> None:
    """Résoudre un écart / close a flag with a reason (audited: who, when, what, why)."""
    from reentry.cli.signin import acting_user
    from reentry.review import service

    store = state.store()
    user = acting_user(store, username)
    service.resolve_flag(store, user, item_key, reason, comment)
    click.echo(tr("review.flag_resolved", key=item_key,
                  reason=tr(f"review.resolution.{reason}")))


@flags.command("reopen")
@click.argument("item_key")
@click.option("--comment", default=None, help="Pourquoi rouvrir / why.")
@click.option("--user", "username", required=True, help="Votre compte Reentry.")
@click.pass_obj
@user_errors
def flags_reopen(state: Context, item_key: str, comment: str | None, username: str) -> None:
    """Rouvrir un écart résolu / reopen a closed flag (its resolution stays in its history)."""
    from reentry.cli.signin import acting_user
    from reentry.review import service

    store = state.store()
    user = acting_user(store, username)
    service.reopen_flag(store, user, item_key, comment)
    click.echo(tr("review.flag_reopened", key=item_key))

