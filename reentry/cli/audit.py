"""The audit trail itself: ``reentry audit verify`` says whether it was tampered with."""

from __future__ import annotations

import click

from reentry.cli.base import Context, cli, user_errors
from reentry.errors import UserError
from reentry.i18n import tr


@cli.group("audit")
def audit_group() -> None:
    """Journal d'audit / the audit trail (a hash chain)."""


@audit_group.command("verify")
@click.option("--expect-head", "expected", default=None, metavar="RANG:EMPREINTE",
              help="Tête de chaîne relevée auparavant (manifeste d'un dossier d'audit), qui doit "
                   "toujours y être / a chain head noted earlier, that must still be there.")
@click.pass_obj
@user_errors
def audit_verify(state: Context, expected: str | None) -> None:
    """Vérifier le journal d'audit / check that no audit record was altered, deleted or added.

    Walks the whole chain: exit 0 and the chain head (RANK:HASH, worth noting elsewhere) when it
    is intact; otherwise exit 1 and one line naming the first record altered, deleted or
    inserted. With --expect-head, the record of that rank must still have that hash (a chain
    rebuilt from an altered record by someone who knows how it is made is found that way).
    """
    from reentry.store.audit_chain import parse_head

    head = parse_head(expected) if expected is not None else None
    check = state.store().verify_audit_chain(head)
    if not check.intact:
        message = check.message()
        raise UserError(message.id, **message.params)
    click.echo(tr("audit.chain_intact", records=check.records, seq=check.head.seq,
                  hash=check.head.hash))
