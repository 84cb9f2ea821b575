"""Which role group of the directory a person belongs to: directly, or through groups that are
themselves members of it (nested groups, the usual set-up in Active Directory, where people sit in
a service's group and that group in the role group).

The setting ``ldap_nested_groups`` chooses how:

- ``in_chain``: Active Directory answers for the whole chain, one search per role group, with its
  matching rule LDAP_MATCHING_RULE_IN_CHAIN;
- ``expand``: the groups that list the person (``member`` of a groupOfNames, ``uniqueMember`` of
  a groupOfUniqueNames), then the groups that list those, and so on, at most ``depth`` groups
  between the person and the role group; a group met twice is not searched again (a cycle ends);
- ``auto`` (default): in-chain, then the expansion when in-chain found nothing (OpenLDAP does
  not know the rule and answers with no entry rather than an error);
- ``off``: direct membership only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reentry.config import Settings
from reentry.domain.entry import Role

NESTED_MODES = ("auto", "in_chain", "expand", "off")
IN_CHAIN = "1.2.840.113556.1.4.1941"  # LDAP_MATCHING_RULE_IN_CHAIN (Active Directory only)
DEFAULT_DEPTH: int = Settings.ldap_nested_depth  # groups between a person and their role group

Groups = tuple[tuple[Role, str], ...]  # (role, group DN), in the order roles are chosen


def role_in_groups(conn: Any, person_dn: str, groups: Groups, mode: str = "auto",
                   depth: int = DEFAULT_DEPTH) -> Role | None:
    """The first role of ``groups`` whose group holds the person (``conn`` is bound)."""
    from ldap3.utils.conv import escape_filter_chars

    person = escape_filter_chars(person_dn)
    if mode == "off":
        return _first_listing(conn, groups, f"(member={person})")
    if mode in ("auto", "in_chain"):
        role = _first_listing(conn, groups, f"(member:{IN_CHAIN}:={person})")
        if role is not None or mode == "in_chain":
            return role
    return _expanded_role(conn, person_dn, groups, depth)


def _first_listing(conn: Any, groups: Groups, member_filter: str) -> Role | None:
    from ldap3 import BASE

    for role, group in groups:
        if conn.search(group, member_filter, search_scope=BASE, attributes=[]) and conn.entries:
            return role
    return None


def _expanded_role(conn: Any, person_dn: str, groups: Groups, depth: int) -> Role | None:
    """Upwards from the person, one level of groups at a time: the searches are on the indexed
    ``member`` attribute, never a read of every member of a large group."""
    wanted = {_normal(dn): role for role, dn in groups}
    listing = _groups_listing(conn, _search_bases(conn, [dn for _role, dn in groups]))
    found: set[Role] = set()
    seen = {_normal(person_dn)}
    level = [person_dn]
    for _ in range(depth + 1):  # the first round: the groups that list the person themselves
        above = []
        for dn in level:
            for group in listing(dn):
                key = _normal(group)
                if key in wanted:
                    found.add(wanted[key])
                if key not in seen:
                    seen.add(key)
                    above.append(group)
        if not above:
            break
        level = above
    return next((role for role, _dn in groups if role in found), None)


def _groups_listing(conn: Any, bases: list[str]) -> Callable[[str], list[str]]:
    from ldap3 import SUBTREE
    from ldap3.utils.conv import escape_filter_chars

    def listing(dn: str) -> list[str]:
        member = escape_filter_chars(dn)
        found = []
        for base in bases:
            if conn.search(base, f"(|(member={member})(uniqueMember={member}))",
                           search_scope=SUBTREE, attributes=[]):
                found += [entry.entry_dn for entry in conn.entries]
        return found

    return listing


def _search_bases(conn: Any, group_dns: list[str]) -> list[str]:
    """The directory's naming contexts (from its root entry) that hold the role groups: a
    sub-group may sit in any branch of them. Without an answer, the role groups' own branches."""
    from ldap3 import BASE

    contexts: list[str] = []
    if conn.search("", "(objectClass=*)", search_scope=BASE,
                   attributes=["namingContexts"]) and conn.entries:
        entry = conn.entries[0]
        if "namingContexts" in entry.entry_attributes:
            contexts = [str(value) for value in entry["namingContexts"].values]
    bases = [ctx for ctx in contexts
             if any(_within(_normal(dn), _normal(ctx)) for dn in group_dns)]
    return bases or sorted({dn.split(",", 1)[-1] for dn in group_dns})


def _within(dn: str, base: str) -> bool:
    return dn == base or dn.endswith("," + base)


def _normal(dn: str) -> str:
    """A DN compared the way the directory does: case and spaces around the separators aside."""
    from ldap3.core.exceptions import LDAPInvalidDnError
    from ldap3.utils.dn import parse_dn

    try:
        return ",".join(f"{name.lower()}={value.lower()}" for name, value, _sep in parse_dn(dn))
    except LDAPInvalidDnError:
        return dn.lower()
