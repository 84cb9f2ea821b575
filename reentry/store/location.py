"""Where the database is: an embedded SQLite file, or a PostgreSQL server shared by several PCs.

``--db`` and ``REENTRY_DB`` take either a file path or a ``postgresql://user:password@host:port/
name`` URL. The password is needed to connect but must never reach a screen, a log or an error
message: every text meant for a person goes through ``shown`` (or ``mask_passwords``), and the
URL's ``repr`` is masked too, so a traceback or a debug print does not leak it either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from reentry.errors import UserError

POSTGRES_SCHEMES = ("postgresql", "postgres")
MASK = "***"

# scheme://[user[:password]@]... — the password is what lies between the first ':' after '//'
# and the last '@' before the host; a password may itself contain '@' or ':' when not encoded.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:)(?P<secret>[^\s]*)"
                           r"(?P<tail>@[^@\s]*)")
# ?password=… in a URL's query, or password=… in libpq's "key=value" form.
_QUERY_PASSWORD = re.compile(r"(?P<head>(?:^|[?&\s])password\s*=\s*)(?P<secret>[^&#\s]*)",
                             re.IGNORECASE)
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")


def mask_passwords(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}{m['tail']}", text)
    return _QUERY_PASSWORD.sub(lambda m: f"{m['head']}{MASK}", text)


@dataclass(frozen=True)
class SqliteLocation:
    """An embedded database: one file on this PC (never on a network share)."""

    path: Path

    @property
    def shown(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return self.shown


@dataclass(frozen=True)
class PostgresLocation:
    """A PostgreSQL database on a server that several PCs share."""

    url: str = field(repr=False)  # with its password: to connect, never to show
    host: str
    port: int | None
    dbname: str
    user: str

    @property
    def shown(self) -> str:
        """The URL fit for a person: the password replaced by ``***``."""
        return mask_passwords(self.url)

    @property
    def has_password(self) -> bool:
        parts = urlsplit(self.url)
        return parts.password is not None or any(
            key.lower() == "password" for key, _ in parse_qsl(parts.query))

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"PostgresLocation({self.shown!r})"


DatabaseLocation = SqliteLocation | PostgresLocation
LocationLike = str | Path | SqliteLocation | PostgresLocation  # what a caller may hand over


def as_location(value: LocationLike) -> DatabaseLocation:
    """``value`` as a location: one already parsed is kept, a path or a text is parsed."""
    if isinstance(value, SqliteLocation | PostgresLocation):
        return value
    return parse_location(value)


def parse_location(text: str | Path) -> DatabaseLocation:
    """A SQLite path or a ``postgresql://`` URL; a malformed URL is a ``UserError`` (masked).

    Only the text is read: whether the file or the server is there is for whoever opens it.
    """
    if isinstance(text, Path):
        return SqliteLocation(text)
    raw = text.strip()
    if not raw:
        raise UserError("db_location.empty")
    scheme = _SCHEME.match(raw)
    if scheme is None:
        return SqliteLocation(Path(raw).expanduser())
    name = scheme["scheme"].lower()
    if name.split("+", 1)[0] not in POSTGRES_SCHEMES:
        raise UserError("db_location.unknown_scheme", location=mask_passwords(raw),
                        scheme=scheme["scheme"])
    return _parse_postgres(raw)


def _parse_postgres(raw: str) -> PostgresLocation:
    shown = mask_passwords(raw)
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise UserError("db_location.bad_port", location=shown) from None
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname or "/" in dbname:
        raise UserError("db_location.no_database", location=shown)
    return PostgresLocation(url=raw, host=unquote(parts.hostname or ""), port=port,
                            dbname=dbname, user=unquote(parts.username or ""))
