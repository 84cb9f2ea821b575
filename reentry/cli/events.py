"""The outage itself: declare, end, list and close events; sheet accounting; drills on a copy."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from reentry import clock, display
from reentry.cli.base import Context, cli, user_errors
from reentry.domain.entry import User
from reentry.domain.events import OutageEvent
from reentry.domain.sheet_state import DECLARATIONS
from reentry.errors import UserError
from reentry.i18n import tr

_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
_COUNT_COLUMNS = ("expected", "returned", "entered", "verified", "lost", "not_used",
                  "unaccounted")


def _local(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=clock.hospital_zone()) if moment else None


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--wards 1201,1305 --wards 1410`` → the three codes."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _user(state: Context, username: str) -> User:
    from reentry.cli.signin import acting_user

    return acting_user(state.store(), username)


def _event_line(event: OutageEvent) -> str:
    wards = ", ".join(event.wards) if event.wards is not None else tr("events.all_wards")
    return tr("events.cli_event", id=event.id, kind=tr(f"events.kind_{event.kind.value}"),
              title=event.title, status=tr(f"events.status_{event.status.value}"),
              planned=tr("events.planned" if event.planned else "events.unplanned"),
              start=clock.format_local(event.started_at),
              end=clock.format_local(event.ended_at) if event.ended_at else "—",
              wards=wards, systems=", ".join(event.systems) or "—", user=event.declared_by)


@cli.group("event")
def event_group() -> None:
    """Événements de panne / outage events: declare, end, list, close."""


@event_group.command("declare")
@click.option("--title", required=True, help="Intitulé / title, e.g. « Coupure réseau ».")
@click.option("--start", type=click.DateTime(_TIME_FORMATS), default=None,
              help="Début (heure locale) ; défaut : maintenant / start, local time.")
@click.option("--planned/--unplanned", default=None,
              help="Coupure planifiée ou panne imprévue ; défaut : planifiée si début à venir.")
@click.option("--wards", multiple=True,
              help="Unités touchées (codes, virgules ou répété) ; défaut : toutes.")
@click.option("--systems", multiple=True,
              help="Systèmes touchés, ex. DPI,pharmacie,laboratoire.")
@click.option("--user", "username", required=True, help="Qui déclare / who declares.")
@click.pass_obj
@user_errors
def event_declare(state: Context, title: str, start: datetime | None, planned: bool | None,
                  wards: tuple[str, ...], systems: tuple[str, ...], username: str) -> None:
    """Déclarer une panne / declare an outage (or a planned cut, before printing).

    Print batches opened while the event is ongoing belong to it; an unplanned outage adopts the
    latest prepared ward-PC set of each affected ward.
    """
    from reentry.domain.events import DeclareEvent
    from reentry.events.service import declare_event

    store = state.store()
    command = DeclareEvent(title=title, started_at=_local(start) or clock.now(),
                           user=_user(state, username), planned=planned,
                           wards=_split(wards) or None, systems=_split(systems))
    declared = declare_event(store, command)
    click.echo(tr("events.cli_declared", line=_event_line(declared.event)))
    if declared.adopted_batches:
        click.echo(tr("events.cli_adopted", batches=", ".join(
            str(b) for b in declared.adopted_batches)))


@event_group.command("end")
@click.option("--event", "event_id", type=int, default=None,
              help="Numéro de l'événement ; défaut : celui en cours.")
@click.option("--at", "ended_at", type=click.DateTime(_TIME_FORMATS), default=None,
              help="Fin (heure locale) ; défaut : maintenant / end, local time.")
@click.option("--user", "username", required=True, help="Qui déclare la fin.")
@click.pass_obj
@user_errors
def event_end(state: Context, event_id: int | None, ended_at: datetime | None,
              username: str) -> None:
    """Déclarer la fin de la panne / the SIH is back: end the outage."""
    from reentry.events.service import end_event

    event = end_event(state.store(), _user(state, username), event_id, _local(ended_at))
    click.echo(tr("events.cli_ended", line=_event_line(event)))


@event_group.command("list")
@click.pass_obj
@user_errors
def event_list(state: Context) -> None:
    """Lister les événements / list outage events, newest first."""
    events = state.store().outage_events()
    if not events:
        click.echo(tr("events.no_event"))
    for event in events:
        click.echo(_event_line(event))
        _echo_exception(event)


@event_group.command("close")
@click.option("--event", "event_id", type=int, default=None,
              help="Numéro de l'événement ; défaut : le dernier terminé.")
@click.option("--user", "username", required=True, help="Qui clôt (et signe l'exception).")
@click.option("--exception-reason", default=None,
              help="Exception signée par --user (cadre de santé) pour les feuilles manquantes.")
@click.pass_obj
@user_errors
def event_close(state: Context, event_id: int | None, username: str,
                exception_reason: str | None) -> None:
    """Clore l'événement / close an ended event once every sheet is accounted for.

    Refused while sheets are unaccounted for (how many per ward is said), unless a ward manager
    signs an exception with a reason.
    """
    from reentry.domain.events import ExceptionRequest
    from reentry.events.service import close_event

    user = _user(state, username)
    exception = (ExceptionRequest(user, exception_reason) if exception_reason is not None
                 else None)
    event = close_event(state.store(), user, event_id, exception)
    click.echo(tr("events.cli_closed", line=_event_line(event)))
    _echo_exception(event)


@cli.command("accounting")
@click.option("--event", "event_id", type=int, default=None,
              help="Numéro de l'événement ; défaut : celui en cours, sinon le dernier.")
@click.option("--ward", default=None, help="Code de l'unité (UF) / ward code.")
@click.option("--format", "output", type=click.Choice(["table", "csv"]), default="table",
              show_default=True)
@click.option("--unaccounted", "list_unaccounted", is_flag=True,
              help="Lister aussi les feuilles non comptées / also list unaccounted sheets.")
@click.pass_obj
@user_errors
def accounting(state: Context, event_id: int | None, ward: str | None, output: str,
               list_unaccounted: bool) -> None:
    """Chaque feuille comptée / every sheet accounted for, per batch and ward.

    Expected (printed) vs returned, entered, verified, lost, not used and unaccounted
    (expected − entered − lost − not used); see docs/events.md.
    """
    from reentry.barcodes import group_for_reading, page_code
    from reentry.domain.sheet_state import UNACCOUNTED
    from reentry.events.accounting import account_lines, accounting_csv
    from reentry.events.service import find_event
    from reentry.sheets.tracking import tracked_sheets

    store = state.store()
    event = find_event(store, event_id)
    sheets = tracked_sheets(store, event_id=event.id, ward_code=ward)
    lines = account_lines(sheets)
    if output == "csv":
        click.echo(accounting_csv(lines), nl=False)
        return
    click.echo(_event_line(event))
    header = [tr("events.col_ward"), tr("events.col_batch"),
              *(tr(f"events.col_{c}") for c in _COUNT_COLUMNS)]
    widths = [max(len(h), 6) for h in header]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    totals = account_lines(sheets, by_batch=False)
    for line in [*lines, *totals]:
        batch = str(line.batch_id) if line.batch_id is not None else tr("events.col_total")
        cells = [line.ward_code, batch, *(str(line.sheets.value(c)) for c in _COUNT_COLUMNS)]
        click.echo("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    click.echo(tr("events.cli_summary", expected=len(sheets), unaccounted=sum(
        t.sheets.unaccounted for t in totals)))
    if list_unaccounted:
        for sheet in sheets:
            if sheet.state in UNACCOUNTED:
                click.echo(tr(
                    "events.cli_unaccounted_sheet",
                    code=group_for_reading(page_code(sheet.serial, 1)), ward=sheet.ward_code,
                    place=f"{sheet.room or ''}-{sheet.bed or ''}".strip("-") or "—",
                    name=sheet.patient_name or sheet.temporary_id or "—",
                    birth=display.date_text(sheet.birth_date) or "—", ipp=sheet.ipp or "—",
                    form=sheet.template_id))


@cli.group("sheets")
def sheets_group() -> None:
    """Feuilles imprimées / printed sheets: declare them lost or not used."""


@sheets_group.command("declare")
@click.argument("codes", nargs=-1, required=True)
@click.option("--outcome", type=click.Choice([d.value for d in DECLARATIONS]), required=True,
              help="Perdue ou non utilisée / lost or not used.")
@click.option("--reason", required=True, help="Pourquoi / why (kept in the audit).")
@click.option("--user", "username", required=True, help="Qui déclare / who declares.")
@click.pass_obj
@user_errors
def sheets_declare(state: Context, codes: tuple[str, ...], outcome: str, reason: str,
                   username: str) -> None:
    """Déclarer des feuilles perdues ou non utilisées / declare sheets lost or not used.

    Nothing is declared unless every code is a sheet that may be declared (known, not entered,
    not superseded or cancelled, of an event not closed).
    """
    from reentry.barcodes import code_problem, normalise_typed_code, split_code
    from reentry.events.accounting import declare_sheets

    store = state.store()
    serials = []
    for code in codes:
        problem = code_problem(code)
        if problem is not None:
            raise UserError("events.bad_code", code=normalise_typed_code(code),
                            reason=problem.render())
        serials.append(split_code(normalise_typed_code(code)).serial)
    count = declare_sheets(store, serials, outcome, reason, _user(state, username))
    click.echo(tr(f"events.cli_declared_{outcome}", count=count))


@cli.group("drill")
def drill_group() -> None:
    """Exercice sur une copie / drill mode: rehearse the whole journey on a copy."""


@drill_group.command("start")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Copie à créer / the drill copy to create.")
@click.option("--user", "username", default=None, help="Qui lance l'exercice.")
@click.pass_obj
@user_errors
def drill_start(state: Context, out_file: Path, username: str | None) -> None:
    """Copier la base pour un exercice / copy the database into a marked drill copy.

    Works while the application has the database open; the real database is never written.
    Open the copy with --db to run the drill: it is marked EXERCICE everywhere.
    """
    from reentry.events.drill import start_drill

    if username is not None:  # who starts it proves it, on the real database, read only
        from reentry.cli.signin import acting_user
        from reentry.store.opening import open_database

        real = open_database(state.db)
        try:
            username = acting_user(real, username).username
        finally:
            real.close()
    # Never opened through ``state.store()``: that would migrate and write the real database.
    info = start_drill(state.db, out_file, username=username)
    click.echo(tr("events.cli_drill_started", out=out_file, source=info.source))


def _echo_exception(event: OutageEvent) -> None:
    """The signed exception of ``event``, if any: who signed, for how many sheets, and why."""
    if event.exception is not None:
        click.echo(tr("events.cli_exception", user=event.exception.signed_by,
                      count=len(event.exception.serials), reason=event.exception.reason))
