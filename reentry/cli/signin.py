"""The command line signs people in: a command that acts as a person (``--user``,
``--operator``) proves it with that person's password, read from the terminal without echo or,
for a scheduled job, from ``REENTRY_PASSWORD``."""

from __future__ import annotations

import os
import sys

import click

from reentry.auth import authenticate
from reentry.auth.directory import Directory
from reentry.auth.passwords import AccountStore
from reentry.domain.entry import User
from reentry.errors import UserError
from reentry.i18n import tr

PASSWORD_ENV = "REENTRY_PASSWORD"


def read_secret(username: str) -> str:
    """``REENTRY_PASSWORD`` when set (a scheduled job has no terminal), else a prompt with no
    echo; no terminal and no variable is a clear message, not click's bare "Aborted!"."""
    secret = os.environ.get(PASSWORD_ENV)
    if secret is not None:
        return secret
    try:
        return str(click.prompt(tr("auth.prompt_password", username=username), hide_input=True,
                                err=True, default="", show_default=False))
    except click.Abort as stopped:
        raise UserError("auth.no_password_input") from stopped


def configured_directory() -> Directory | None:
    """The hospital directory of the settings file, None when there is none."""
    from reentry.config import load_settings

    return Directory.from_settings(load_settings())


def acting_user(store: AccountStore, username: str) -> User:
    """The person ``--user`` names, once they have given their password (checked by the
    hospital directory when the settings name one and the account has no local password)."""
    return authenticate(store, username, read_secret(username.strip()), configured_directory())


def new_secret(username: str, from_stdin: bool) -> str:
    """A new password: once from standard input (``--password-stdin``, for scripts), else
    typed twice without echo; the two must agree."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise UserError("auth.no_password_stdin")
        return line
    try:
        first = click.prompt(tr("auth.prompt_new_password", username=username),
                             hide_input=True, err=True)
        second = click.prompt(tr("auth.prompt_repeat"), hide_input=True, err=True)
    except click.Abort as stopped:
        raise UserError("auth.no_password_input") from stopped
    if first != second:
        raise UserError("auth.passwords_differ")
    return str(first)
