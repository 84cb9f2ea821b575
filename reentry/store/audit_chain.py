"""The audit trail as a hash chain: a record that is altered, deleted or slipped in is found.

Each ``audit_log`` record has a rank (``seq``: 1, 2, 3… with no gap), the hash of the record
before it (``prev_hash``; 64 zeros for the first) and its own ``hash``: the SHA-256 of its rank,
its content and ``prev_hash`` (``record_hash`` says exactly which bytes). Changing one record
changes its hash, which no longer matches what it holds nor what the next record says came
before it; removing one leaves a gap in the ranks and a broken link; adding one breaks a link
or goes past the chain's head.

The head (rank and hash of the last record) is also kept in ``audit_chain_head``, a one-row
table, which is what serializes the writers: on SQLite the write transaction already holds the
database (``BEGIN IMMEDIATE``); on PostgreSQL each writer locks the head row
(``SELECT … FOR UPDATE``) before reading it, so two PCs never give two records the same
predecessor (the second waits, then its whole store call is done again on the new head).

The hash has no secret: whoever can write the table and knows this scheme can rebuild a chain.
What protects the records is that the application's server role may only insert into
``audit_log`` (docs/deployment.md) and that a chain head written elsewhere (the audit pack's
manifest, ``reentry audit verify``'s output) can be compared later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from reentry.errors import UserError
from reentry.i18n import Msg, msg
from reentry.store.database import POSTGRESQL, SqlConnection

GENESIS = "0" * 64  # what the first record names as its predecessor
_FETCH = 20_000  # rows read at a time by the check
_COLUMNS = "id, seq, at, user_id, action, subject, record_id, detail, prev_hash, hash"


def record_hash(seq: int, at: str, user_id: int | None, action: str, subject: str,
                record_id: int | None, detail: str, prev_hash: str) -> str:
    """SHA-256 (hex) of the UTF-8 text ``seq|user_id|record_id|n:at|n:action|n:subject|n:detail|
    prev_hash``, integers in decimal (an absent one empty), each text preceded by its length in
    characters and a colon: unambiguous, and a few lines in any language."""
    text = (f"{seq}|{'' if user_id is None else user_id}|{'' if record_id is None else record_id}"
            f"|{len(at)}:{at}|{len(action)}:{action}|{len(subject)}:{subject}"
            f"|{len(detail)}:{detail}|{prev_hash}")
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    seq: int  # rank of the last record; 0 when there is none
    hash: str
    record_id: int | None = None  # its id in ``audit_log``

    def text(self) -> str:
        """``rank:hash``, as written in a manifest and compared later."""
        return f"{self.seq}:{self.hash}"


EMPTY = ChainHead(0, GENESIS)


def append(conn: SqlConnection, at: str, user_id: int | None, action: str, subject: str,
           record_id: int | None, detail: str) -> int:
    """Add one record at the end of the chain, inside the caller's write transaction (one is
    opened if there is none); returns its id."""
    with conn.transaction():
        head = _locked_head(conn)
        seq = head.seq + 1
        digest = record_hash(seq, at, user_id, action, subject, record_id, detail, head.hash)
        new_id = conn.insert(
            "INSERT INTO audit_log (at, user_id, action, subject, record_id, detail, seq,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, user_id, action, subject, record_id, detail, seq, head.hash, digest))
        conn.execute("UPDATE audit_chain_head SET seq = ?, hash = ?, record_id = ? WHERE id = 1",
                     (seq, digest, new_id))
    return new_id


def _locked_head(conn: SqlConnection) -> ChainHead:
    """The head, locked until the transaction ends (created, empty, by the first writer)."""
    lock = " FOR UPDATE" if conn.dialect == POSTGRESQL else ""
    query = "SELECT seq, hash, record_id FROM audit_chain_head WHERE id = 1" + lock
    row = conn.execute(query).fetchone()
    if row is None:
        # Two first writers: the second waits on the first's row, then is told to try again.
        conn.execute("INSERT INTO audit_chain_head (id, seq, hash, record_id) VALUES (1, 0, ?,"
                     " NULL) ON CONFLICT DO NOTHING", (GENESIS,))
        row = conn.execute(query).fetchone()
    return ChainHead(int(row[0]), str(row[1]), row[2])


def stored_head(conn: SqlConnection) -> ChainHead:
    row = conn.execute("SELECT seq, hash, record_id FROM audit_chain_head WHERE id = 1"
                       ).fetchone()
    return ChainHead(int(row[0]), str(row[1]), row[2]) if row else EMPTY


def chain_existing(rows: Sequence[Sequence[Any]]) -> list[tuple[int, str, str, int]]:
    """Ranks and hashes for records written before the chain existed (migration 0010), in the
    order given (by id): ``(seq, prev_hash, hash, id)`` for each."""
    chained = []
    previous = GENESIS
    for seq, (record, at, user_id, action, subject, record_id, detail) in enumerate(rows, 1):
        digest = record_hash(seq, at, user_id, action, subject, record_id, detail, previous)
        chained.append((seq, previous, digest, record))
        previous = digest
    return chained


class Breach(StrEnum):
    ALTERED = "altered"
    DELETED = "deleted"
    INSERTED = "inserted"
    REWRITTEN = "rewritten"  # sound, but no longer holding a head noted earlier


@dataclass(frozen=True)
class ChainCheck:
    """What ``verify_chain`` found: the records read and, if the chain is broken, the first
    place where it is (the record named, and for a deletion how many ranks are missing)."""

    records: int
    head: ChainHead  # the last record that checked out
    breach: Breach | None = None
    record_id: int | None = None
    seq: int | None = None
    missing: int = 0
    at_end: bool = False  # records missing after the last one (``record_id`` is the last)
    expected: ChainHead | None = None  # REWRITTEN: the head noted earlier…
    found: str | None = None  # …and the hash its rank has now (None: no such rank)

    @property
    def intact(self) -> bool:
        return self.breach is None

    def message(self) -> Msg:
        if self.breach is None:
            return msg("audit.chain_intact", records=self.records, seq=self.head.seq,
                       hash=self.head.hash)
        if self.breach is Breach.DELETED and self.at_end and self.record_id is None:
            return msg("audit.chain_emptied", missing=self.missing)
        if self.breach is Breach.REWRITTEN:
            assert self.expected is not None
            return msg("audit.chain_rewritten", expected=self.expected.text(),
                       seq=self.expected.seq,
                       found=self.found if self.found else msg("audit.head_missing"))
        if self.breach is Breach.DELETED:
            return msg("audit.chain_deleted_end" if self.at_end else "audit.chain_deleted",
                       id=self.record_id or 0, seq=self.seq or 0, missing=self.missing)
        return msg(f"audit.chain_{self.breach.value}", id=self.record_id or 0, seq=self.seq or 0)


@dataclass(frozen=True)
class _Row:
    id: int
    seq: int
    content: tuple[Any, ...]  # at, user_id, action, subject, record_id, detail
    prev_hash: str | None
    hash: str | None

    @classmethod
    def of(cls, r: Sequence[Any] | None) -> _Row | None:
        return None if r is None else cls(r[0], r[1], tuple(r[2:8]), r[8], r[9])

    def sound(self) -> bool:
        """Its hash is the hash of what it holds and of the predecessor it names."""
        if self.prev_hash is None or self.hash is None:
            return False
        at, user_id, action, subject, record_id, detail = self.content
        try:
            return record_hash(self.seq, at, user_id, action, subject, record_id, detail,
                               self.prev_hash) == self.hash
        except TypeError:  # a value of the wrong type written over a record
            return False


def _walk(conn: SqlConnection) -> Generator[Sequence[Any], None, None]:
    """The chained records in rank order, read a batch at a time: on a server through a
    server-side cursor (a million rows are never all in memory), inside the caller's
    snapshot transaction."""
    query = f"SELECT {_COLUMNS} FROM audit_log WHERE seq IS NOT NULL ORDER BY seq"
    with conn.errors():
        raw = conn.dbapi()
        if conn.dialect == POSTGRESQL:
            cursor = raw.cursor(name="reentry_audit_walk")
            cursor.itersize = _FETCH
            cursor.execute(query)
        else:
            cursor = raw.execute(query)
        try:
            while batch := cursor.fetchmany(_FETCH):
                yield from batch
        finally:
            cursor.close()


def parse_head(text: str) -> ChainHead:
    """``RANK:HASH`` as ``ChainHead.text`` writes it; a clear refusal otherwise."""
    seq, _, digest = text.strip().partition(":")
    digest = digest.lower()
    if not (seq.isdigit() and len(digest) == 64
            and all(c in "0123456789abcdef" for c in digest)):
        raise UserError("audit.bad_head", text=text)
    return ChainHead(int(seq), digest)


def verify_chain(conn: SqlConnection, expected: ChainHead | None = None) -> ChainCheck:
    """``check_chain``, then, if the chain holds and a head noted earlier is given (from an
    audit pack's manifest), that the record of that rank still has that hash: a chain rebuilt
    from an altered record by someone who knows the scheme is sound, but not the same."""
    check = check_chain(conn)
    if check.intact and expected is not None and expected.seq > 0:
        row = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (expected.seq,)
                           ).fetchone()
        found = row[0] if row else None
        if found != expected.hash:
            return replace(check, breach=Breach.REWRITTEN, expected=expected, found=found)
    return check


def check_chain(conn: SqlConnection) -> ChainCheck:
    """Walk the chain in rank order from a consistent snapshot; stop at the first break.

    Each record must have the next rank, name the previous record's hash and hash to its own.
    When one does not, the neighbours tell what happened: a record the next one skips over was
    inserted; a gap in the ranks is a deletion; otherwise the record (or the one before it, when
    only the link differs) was altered. Records outside the chain (no rank) were inserted, and
    the head table must name the last record."""
    with conn.snapshot():
        stored = stored_head(conn)
        rows = _walk(conn)
        count = 0
        last_hash = earlier = GENESIS  # the last record that checked out, the one before it
        previous: Sequence[Any] | None = None
        for row in rows:
            record, seq, at, user_id, action, subject, record_id, detail, prev_hash, digest = row
            try:
                holds = (seq == count + 1 and prev_hash == last_hash and seq <= stored.seq
                         and record_hash(seq, at, user_id, action, subject, record_id, detail,
                                         prev_hash) == digest)
            except TypeError:  # a value of the wrong type written over a record
                holds = False
            if not holds:
                breach = _breach(_Row.of(row), _Row.of(next(rows, None)), _head(previous),
                                 earlier, _Row.of(previous), stored)
                rows.close()
                if breach is not None:
                    return ChainCheck(count, _head(previous), *breach)
                raise AssertionError(f"audit record {record} both holds and does not")
            count += 1
            earlier, last_hash, previous = last_hash, digest, row
        before = _head(previous)
        outside = conn.execute("SELECT id FROM audit_log WHERE seq IS NULL ORDER BY id"
                               " LIMIT 1").fetchone()
        if outside is not None:
            return ChainCheck(count, before, Breach.INSERTED, outside[0], None)
        if stored.seq > before.seq:
            return ChainCheck(count, before, Breach.DELETED, before.record_id, before.seq,
                              stored.seq - before.seq, at_end=True)
        if stored.hash != before.hash and previous is not None:
            return ChainCheck(count, before, Breach.ALTERED, previous[0], previous[1])
        return ChainCheck(count, before)


def _head(row: Sequence[Any] | None) -> ChainHead:
    return EMPTY if row is None else ChainHead(row[1], row[9], row[0])


def _breach(row: _Row | None, following: _Row | None, before: ChainHead, earlier: str,
            previous: _Row | None, stored: ChainHead
            ) -> tuple[Breach, int | None, int | None, int] | None:
    """Why ``row`` breaks the chain (kind, record, rank, ranks missing), or None if it holds."""
    assert row is not None
    expected = before.seq + 1
    linked = row.prev_hash == before.hash
    sound = row.sound()
    if linked and sound and row.seq == expected and row.seq <= stored.seq:
        return None
    skipped = following is not None and following.prev_hash == before.hash
    if skipped or row.seq > stored.seq:  # the chain goes on without it: slipped in
        return Breach.INSERTED, row.id, row.seq, 0
    if previous is not None and row.prev_hash == earlier and not linked:
        return Breach.INSERTED, previous.id, previous.seq, 0  # the one before was slipped in
    if row.seq > expected:
        return Breach.DELETED, row.id, row.seq, row.seq - expected
    if not linked and sound and previous is not None and (
            following is None or following.prev_hash == row.hash):
        return Breach.ALTERED, previous.id, previous.seq, 0  # its hash was rewritten with it
    return Breach.ALTERED, row.id, row.seq, 0
