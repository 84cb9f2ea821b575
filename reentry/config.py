"""Where Reentry keeps its data and the few settings a hospital changes.

Settings come from ``settings.toml`` in the user's configuration folder (or the file named by
``REENTRY_CONFIG``); each can be overridden by an environment variable. Defaults suit a ward PC.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from platformdirs import user_config_path, user_data_path

from reentry.errors import UserError

APP_NAME = "reentry"


def default_db_path() -> Path:
    """The embedded database of this user, unless ``REENTRY_DB`` names another."""
    override = os.environ.get("REENTRY_DB")
    if override:
        return Path(override)
    return user_data_path(APP_NAME, appauthor=False) / "reentry.sqlite"


def default_db_location() -> str | Path:
    """What ``REENTRY_DB`` names, a SQLite path or a ``postgresql://`` URL (the command line
    parses it), else the settings file's ``database``, else this user's embedded database."""
    return os.environ.get("REENTRY_DB") or load_settings().database or default_db_path()


def database_password() -> str | None:
    """The server password of the settings file (``database_password``, or the environment's
    ``REENTRY_DATABASE_PASSWORD``), for a ``database`` URL written without one. Refused when the
    file holding it can be read by others, as libpq ignores an open ``~/.pgpass``."""
    from_environment = os.environ.get("REENTRY_DATABASE_PASSWORD")
    if from_environment:
        return from_environment
    path = settings_path()
    secret = load_settings(path).database_password
    if not secret:
        return None
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise UserError("settings.password_file_open", path=str(path))
    return secret


@dataclass(frozen=True)
class Settings:
    language: str = "fr"
    # A snapshot older than this is shown as a warning: the paper may be out of date.
    stale_after_hours: float = 4.0
    # How far back the dossier shows vital signs and notes.
    dossier_hours: float = 24.0
    # Print-station estimate of print time (pages per minute of the ward printers).
    pages_per_minute: float = 30.0
    # Export to the SIH: the hospital's identifier systems and the sending application name.
    # The defaults are placeholders: set them per hospital (docs/export.md).
    ipp_system: str = "urn:reentry:ipp"
    # HL7 v2 import: the assigning authority (namespace or OID in PID-3.4) of the hospital's IPP.
    # Empty: the first PID-3 typed PI is the IPP, whoever assigned it.
    ipp_authority: str = ""
    nda_system: str = "urn:reentry:nda"
    export_sender: str = "REENTRY"
    # Keyboard-wedge scanners: digits closer than this are a scan, not typing; a scan has at least
    # this many digits; optional prefix; the keys that end it ("enter,tab", "enter", "tab", "none").
    scan_max_interval_ms: int = 35
    scan_min_digits: int = 12
    scan_prefix: str = ""
    scan_suffix: str = "enter,tab"
    # The ward PC's folder that the scheduled ``reentry prepare --dir`` fills: when the server
    # does not answer, the app opens the offline copy it holds (current/hors-ligne.sqlite).
    offline_dir: str = ""
    # The app locks after this many minutes without a key or a click (shared ward PCs): patient
    # data hidden until the same user types their secret again; 0: never.
    idle_lock_minutes: float = 5.0
    # Sign-in through the hospital directory (reentry/auth/directory.py); empty ldap_url: local
    # passwords only. ldaps:// is TLS, ldap:// always StartTLS. The DN is ldap_user_dn with
    # {username} (uid={username},ou=people,dc=… or {username}@DOMAINE for Active Directory), or
    # found by (ldap_search_attribute=name) under ldap_search_base. One group DN per role.
    ldap_url: str = ""
    ldap_user_dn: str = ""
    ldap_search_base: str = ""
    ldap_search_attribute: str = "uid"
    ldap_bind_dn: str = ""
    ldap_bind_password: str = ""
    ldap_ca_file: str = ""
    ldap_group_admin: str = ""
    ldap_group_identity_vigilance: str = ""
    ldap_group_quality: str = ""
    ldap_group_ward_manager: str = ""
    ldap_group_nurse: str = ""
    # Nested groups (a group member of the role group): "auto" (Active Directory's in-chain rule,
    # else the groups expanded one level at a time), "in_chain", "expand" or "off" (direct
    # members only); expanding goes through at most ldap_nested_depth groups.
    ldap_nested_groups: str = "auto"
    ldap_nested_depth: int = 8
    # The database when neither --db nor REENTRY_DB names one: a SQLite path, or the shared
    # server's postgresql://user@host:port/name URL (docs/deployment.md); its password either in
    # ~/.pgpass or here, the file then readable by its owner only (chmod 600).
    database: str = ""
    database_password: str = ""


def settings_path() -> Path:
    override = os.environ.get("REENTRY_CONFIG")
    if override:
        return Path(override)
    return user_config_path(APP_NAME, appauthor=False) / "settings.toml"


def load_settings(path: Path | None = None) -> Settings:
    """Settings from the file, then from ``REENTRY_<NAME>`` variables; unknown keys ignored."""
    values: dict[str, object] = {}
    path = path or settings_path()
    if path.is_file():
        with path.open("rb") as handle:
            values.update(tomllib.load(handle))
    result = {}
    for f in fields(Settings):
        raw = os.environ.get(f"REENTRY_{f.name.upper()}", values.get(f.name))
        if raw is None:
            continue
        try:
            result[f.name] = type(f.default)(raw)  # type: ignore[call-arg,misc]
        except (TypeError, ValueError):
            continue  # a bad setting falls back to its default rather than stop the ward PC
    return Settings(**result)  # type: ignore[arg-type]
