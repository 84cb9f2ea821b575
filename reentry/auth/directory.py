"""Sign-in through the hospital directory (LDAP / Active Directory): a simple bind as the
person, always over TLS (``ldaps://``) or StartTLS (``ldap://``, upgraded before the secret is
sent), then their role from the directory group they belong to, directly or through nested
groups (``reentry.auth.directory_groups``).

Configured in the settings file (``reentry.config.Settings``, ``ldap_*``): the server URL, how a
user name becomes a DN (a template, or a search under a base), and one group DN per role.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from dataclasses import dataclass
from typing import Any

from reentry.auth.directory_groups import DEFAULT_DEPTH, NESTED_MODES, role_in_groups
from reentry.domain.entry import Role
from reentry.errors import UserError

log = logging.getLogger(__name__)

# When someone is in several groups, the first role of this list that matches is theirs.
ROLE_ORDER = (Role.ADMIN, Role.IDENTITY_VIGILANCE, Role.QUALITY, Role.WARD_MANAGER, Role.NURSE)


@dataclass(frozen=True)
class DirectoryPerson:
    username: str
    display_name: str
    role: Role | None  # None: in none of the configured groups (then refused)


@dataclass(frozen=True)
class Directory:
    url: str  # ldaps://ad.hopital.fr (TLS) or ldap://ad.hopital.fr:389 (StartTLS, required)
    user_dn: str = ""  # "uid={username},ou=people,dc=hopital,dc=fr" or "{username}@HOPITAL.FR"
    search_base: str = ""  # instead of user_dn: found by (search_attribute=username) under it
    search_attribute: str = "uid"  # "sAMAccountName" on Active Directory
    bind_dn: str = ""  # for the search: a service account (empty: anonymous search)
    bind_password: str = ""
    ca_file: str = ""  # the CA that signed the server's certificate (empty: the system's)
    groups: tuple[tuple[Role, str], ...] = ()  # (role, group DN)
    timeout: int = 5  # seconds (ldap3 packs it into a socket option: a whole number)
    nested_groups: str = "auto"  # "auto", "in_chain", "expand" or "off" (directory_groups.py)
    nested_depth: int = DEFAULT_DEPTH  # groups between a person and the role group, expanding

    @classmethod
    def from_settings(cls, settings: Any) -> Directory | None:
        """None when no directory is configured (local passwords only)."""
        if not settings.ldap_url:
            return None
        groups = tuple((role, getattr(settings, f"ldap_group_{role.value}"))
                       for role in ROLE_ORDER if getattr(settings, f"ldap_group_{role.value}"))
        nested = settings.ldap_nested_groups.strip().lower()
        return cls(url=settings.ldap_url, user_dn=settings.ldap_user_dn,
                   search_base=settings.ldap_search_base,
                   search_attribute=settings.ldap_search_attribute or "uid",
                   bind_dn=settings.ldap_bind_dn, bind_password=settings.ldap_bind_password,
                   ca_file=settings.ldap_ca_file, groups=groups,
                   # an unknown word falls back to the default, like any bad setting
                   nested_groups=nested if nested in NESTED_MODES else "auto",
                   nested_depth=max(0, settings.ldap_nested_depth))

    def sign_in(self, username: str, secret: str) -> DirectoryPerson | None:
        """The person, once the directory accepted their secret; None when it did not (wrong
        name or wrong secret alike). An unreachable directory or a TLS failure is a UserError
        that says so: that is not the person's mistake."""
        from ldap3.core.exceptions import LDAPException

        if not username or not secret:  # an empty password is an anonymous bind: never that
            return None
        try:
            dn = self._user_dn(username)
            if dn is None:
                return None
            conn = self._connection(dn, secret)
            try:
                if not conn.bind():
                    return None
                return self._person(conn, dn, username)
            finally:
                conn.unbind()
        except LDAPException as failed:
            # ldap3's own words (English, "[Errno 111]", the socket) are for IT, in the log;
            # the person reads what to do. No user name, no secret in the line.
            log.warning("directory %s not reached: %s: %s", self.url, type(failed).__name__,
                        failed)
            raise UserError("auth.directory_unreachable") from failed

    # -- the wire ---------------------------------------------------------------------------

    def _connection(self, user: str | None, secret: str | None) -> Any:
        from ldap3 import SIMPLE, Connection, Server, Tls
        from ldap3.core.exceptions import LDAPException, LDAPStartTLSError

        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.ca_file or None,
                  version=ssl.PROTOCOL_TLS_CLIENT)
        server = Server(self.url, use_ssl=self.url.lower().startswith("ldaps://"), tls=tls,
                        connect_timeout=self.timeout)
        conn = Connection(server, user=user, password=secret,
                          authentication=SIMPLE if user else None,
                          receive_timeout=self.timeout, raise_exceptions=False)
        try:
            conn.open()
            # before any bind: the secret never travels in clear. With raise_exceptions=False
            # a refused certificate is a False here, not an exception: stop on it
            if not self.url.lower().startswith("ldaps://") and not conn.start_tls():
                raise LDAPStartTLSError(conn.last_error or "StartTLS not established")
        except Exception:
            # closes the socket: nothing left open on a refused certificate. Its own failure
            # (the socket the handshake left behind is dead) must not hide why it failed
            with contextlib.suppress(LDAPException, OSError):
                conn.unbind()
            if conn.socket is not None:  # ldap3 keeps a socket whose connect failed, open
                conn.socket.close()
            raise
        return conn

    def _user_dn(self, username: str) -> str | None:
        from ldap3.utils.conv import escape_filter_chars
        from ldap3.utils.dn import escape_rdn

        if self.user_dn:
            escaped = escape_rdn(username) if "=" in self.user_dn else username
            return self.user_dn.format(username=escaped)
        conn = self._connection(self.bind_dn or None, self.bind_password or None)
        try:
            if self.bind_dn and not conn.bind():
                log.warning("directory %s refused the service account %s: %s", self.url,
                            self.bind_dn, conn.result.get("description") if conn.result else "")
                raise UserError("auth.directory_service_refused")
            conn.search(self.search_base,
                        f"({self.search_attribute}={escape_filter_chars(username)})",
                        attributes=[])
            found = [e.entry_dn for e in conn.entries]
        finally:
            conn.unbind()
        return found[0] if len(found) == 1 else None

    def _person(self, conn: Any, dn: str, username: str) -> DirectoryPerson:
        from ldap3 import BASE

        display = username
        if conn.search(dn, "(objectClass=*)", search_scope=BASE,
                       attributes=["cn", "displayName"]) and conn.entries:
            entry = conn.entries[0]
            for name in ("displayName", "cn"):
                if name in entry.entry_attributes and entry[name].value:
                    value = entry[name].value
                    display = str(value[0] if isinstance(value, list) else value)
                    break
        role = role_in_groups(conn, dn, self.groups, self.nested_groups, self.nested_depth)
        return DirectoryPerson(username, display, role)
