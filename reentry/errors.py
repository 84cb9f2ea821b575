"""One error hierarchy for the core.

``UserError`` is what a person can fix (a bad file, a locked database, a disk that is full): it
carries a message (id and parameters) rendered in the user's language by ``message()``, that says
what happened and what to do. Anything else that escapes the core is a bug.
"""

from __future__ import annotations

from reentry.i18n import Msg, msg


class ReentryError(Exception):
    """Base of every error raised on purpose by the core."""


class UserError(ReentryError):
    message_id = "error.generic"

    def __init__(self, message_id: str | None = None, /, **params: object) -> None:
        self.msg: Msg = msg(message_id or self.message_id, **params)
        super().__init__(self.msg.render(lang="en"))

    @property
    def params(self) -> dict[str, object]:
        return self.msg.params

    def message(self, lang: str | None = None) -> str:
        return self.msg.render(lang)

    def __str__(self) -> str:
        return self.message()


class Cancelled(ReentryError):
    """Long work stopped at the user's request; nothing was half-written."""


class DatabaseError(UserError):
    message_id = "error.database"


class DatabaseTooNew(DatabaseError):
    message_id = "error.database_too_new"


class DatabaseLocked(DatabaseError):
    message_id = "error.database_locked"


class DiskFull(DatabaseError):
    message_id = "error.disk_full"


class NotFound(UserError):
    message_id = "error.not_found"


class FileRejected(UserError):
    """A file that cannot be used: names the file, where in it, and what is wrong.

    ``where`` and ``problem`` are messages (``Msg``) so that each is translated whole, e.g.
    where = msg("where.segment_field", segment="PID", field=7, line=3),
    problem = msg("problem.bad_date", value="19791332").
    """

    message_id = "error.file_rejected"

    def __init__(self, file: str, where: Msg, problem: Msg) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        super().__init__(file=file, where=where, problem=problem)


class FormDefinitionError(UserError):
    """An invalid form definition: names the file, the field and the problem."""

    message_id = "error.form_definition"

    def __init__(self, file: str, field: str, problem: Msg) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        super().__init__(file=file, field=field, problem=problem)
