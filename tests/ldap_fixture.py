"""A private OpenLDAP ``slapd`` on 127.0.0.1 for the directory sign-in tests: a throwaway
configuration and database in a temporary folder, a self-signed certificate for StartTLS and
ldaps, run as the unprivileged ``openldap`` user when the tests run as root (Debian's packages
``slapd`` and ``ldap-utils``, installed by scripts/ldap-setup.sh).

Skipped with the reason when slapd cannot run here, unless ``REENTRY_REQUIRE_LDAP=1`` (CI).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from private_servers import run_setup_script, skip_or_fail

SETUP_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "ldap-setup.sh"
REQUIRE_VARIABLE = "REENTRY_REQUIRE_LDAP"
SLAPD = "/usr/sbin/slapd"
SUFFIX = "dc=hopital,dc=test"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
# name, display name, password, groups (cn under ou=groups)
PEOPLE_IN_DIRECTORY = [
    ("mdupont", "Marie Dupont", "secret-de-marie", ["reentry-ide"]),
    ("croux", "Claire Roux", "secret-de-claire", ["reentry-ide", "reentry-cadres"]),
    ("visiteur", "Vincent Visiteur", "secret-du-visiteur", []),
    ("pgirard", "Paul Girard", "secret-de-paul", ["cadres-pediatrie"]),
    ("nlefort", "Nina Lefort", "secret-de-nina", ["chaine-1"]),
    ("bmorel", "Bruno Morel", "secret-de-bruno", ["boucle-a"]),
]
GROUP_ROLES = {"reentry-ide": "nurse", "reentry-cadres": "ward_manager"}
# Nested groups, as Active Directory sites set them up: a group that is a member of other groups.
# cadres-pediatrie is a groupOfUniqueNames (uniqueMember); chaine-1..3 put three groups between
# Nina and the ward managers' group; boucle-a and boucle-b are members of each other.
GROUPS_IN_GROUPS = {
    "cadres-pediatrie": ["reentry-cadres"],
    "chaine-1": ["chaine-2"], "chaine-2": ["chaine-3"], "chaine-3": ["reentry-cadres"],
    "boucle-a": ["boucle-b"], "boucle-b": ["boucle-a"],
}
UNIQUE_MEMBER_GROUPS = {"cadres-pediatrie"}


class LdapUnavailable(Exception):
    """slapd cannot run here; the message says why."""


@dataclass(frozen=True)
class PrivateLdap:
    host: str
    port: int  # plain port: StartTLS
    tls_port: int  # ldaps
    ca_file: Path

    def group_dn(self, name: str) -> str:
        return f"cn={name},{GROUPS}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ldif() -> str:
    parts = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Hopital\n"
             "dc: hopital\n",
             f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
             f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n"]
    for uid, display, secret, _groups in PEOPLE_IN_DIRECTORY:
        parts.append(f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\n"
                     f"cn: {display}\nsn: {display.split()[-1]}\nuserPassword: {secret}\n")
    for group in [*GROUP_ROLES, *GROUPS_IN_GROUPS]:
        attribute, kind = (("uniqueMember", "groupOfUniqueNames")
                           if group in UNIQUE_MEMBER_GROUPS else ("member", "groupOfNames"))
        members = [f"{attribute}: uid={uid},{PEOPLE}"
                   for uid, _d, _s, groups in PEOPLE_IN_DIRECTORY if group in groups]
        members += [f"{attribute}: cn={inner},{GROUPS}"
                    for inner, outer in GROUPS_IN_GROUPS.items() if group in outer]
        parts.append(f"dn: cn={group},{GROUPS}\nobjectClass: {kind}\ncn: {group}\n"
                     + "\n".join(members) + "\n")
    return "\n".join(parts)


def _config(folder: Path) -> str:
    return f"""include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
TLSCertificateFile {folder}/cert.pem
TLSCertificateKeyFile {folder}/key.pem
database mdb
suffix "{SUFFIX}"
rootdn "cn=admin,{SUFFIX}"
rootpw {os.urandom(12).hex()}
directory {folder}/db
access to attrs=userPassword by anonymous auth by self write by * none
access to * by * read
"""


def _run(args: list[str], folder: Path) -> None:
    done = subprocess.run(args, cwd=folder, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise LdapUnavailable(f"{Path(args[0]).name} failed: {done.stderr.strip()[-400:]}")


def start_private_ldap(folder: Path) -> tuple[PrivateLdap, subprocess.Popen[bytes]]:
    if not Path(SLAPD).is_file() or shutil.which("slapadd") is None:
        run_setup_script(SETUP_SCRIPT, "OpenLDAP's slapd", LdapUnavailable, "Directory")
    if not Path(SLAPD).is_file() or shutil.which("slapadd") is None:
        raise LdapUnavailable("slapd is not installed (scripts/ldap-setup.sh installs it)")
    if shutil.which("openssl") is None:
        raise LdapUnavailable("openssl is not installed (to make the test certificate)")
    (folder / "db").mkdir()
    _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
          "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
          "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], folder)
    (folder / "slapd.conf").write_text(_config(folder))
    (folder / "base.ldif").write_text(_ldif())
    _run(["slapadd", "-f", "slapd.conf", "-l", "base.ldif"], folder)
    port, tls_port = _free_port(), _free_port()
    command = [SLAPD, "-d", "0", "-f", str(folder / "slapd.conf"),
               "-h", f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{tls_port}/"]
    if os.geteuid() == 0:  # never as root: Debian's unprivileged account for slapd
        try:
            owner = pwd.getpwnam("openldap")
        except KeyError as missing:
            raise LdapUnavailable("no 'openldap' user to run slapd as") from missing
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        command += ["-u", "openldap", "-g", "openldap"]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            if process.stderr:
                process.stderr.close()
            raise LdapUnavailable(f"slapd stopped at start: {error.strip()[-400:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return PrivateLdap("127.0.0.1", port, tls_port, folder / "cert.pem"), process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise LdapUnavailable("slapd did not answer within 15 s")


@pytest.fixture(scope="session")
def ldap_server() -> Iterator[PrivateLdap]:
    """One private slapd for the session, stopped at the end."""
    folder = Path(tempfile.mkdtemp(prefix="reentry-ldap-"))
    os.chmod(folder, 0o755)
    process = None
    try:
        try:
            server, process = start_private_ldap(folder)
        except (LdapUnavailable, OSError, subprocess.SubprocessError) as cannot:
            skip_or_fail(f"OpenLDAP slapd cannot run here: {cannot}", REQUIRE_VARIABLE)
        yield server
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stderr is not None:
                process.stderr.close()
        shutil.rmtree(folder, ignore_errors=True)
