"""Reconciliation runs, their verdicts, and the quality team's resolutions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from operator import attrgetter
from typing import Any

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.review import (
    CLOSED,
    FLAGGED_VERDICTS,
    OPEN,
    FlagDetail,
    FlagEvent,
    FlagRow,
    IdentityCandidate,
    IdentityCase,
    IdentityDecisionRecord,
    PatientIdentity,
    RunInfo,
    SourceInfo,
)
from reentry.domain.review_lifecycle import (
    CLOSED_BY_RUN,
    FLAGGED,
    KEPT,
    REOPENED,
    SUPERSEDED,
    VERDICT_CHANGED,
    FlagState,
    Transition,
    transition,
)
from reentry.domain.review_run import RunRecord, VerdictRecord, json_list
from reentry.errors import UserError
from reentry.store.database import SqlConnection
from reentry.store.review_texts import (
    PART,
    UNMATCHED,
    VERDICT_TEXTS,
    compress,
    joined,
    slices,
    unpack,
    unpack_slices,
)
from reentry.store.sql_entry import _audit

_CHUNK = 500  # parameters per IN (...) list, well under SQLite's limit


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _time(text: str | None) -> datetime | None:
    return clock.from_storage(text)


def _must_time(text: str) -> datetime:
    moment = clock.from_storage(text)
    assert moment is not None
    return moment


class ReviewQueries:
    """Mixed into ``SqlStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any

    # -- what a run needs to know about the paper side -----------------------------------------

    def paper_item_places(self, item_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Sheet row, page and ward of each re-entered item (for its key and its scan)."""
        places: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(list(item_ids)):
            marks = ", ".join("?" for _ in chunk)
            for r in self._rows(
                    "SELECT i.id, e.section_id, e.row_index, e.page, f.ward_code FROM items i"
                    " JOIN entries e ON e.id = i.entry_id"
                    " JOIN form_instances f ON f.serial = i.serial"
                    f" WHERE i.id IN ({marks})", chunk):
                places[r["id"]] = r
        return places

    def review_wards(self, ndas: Sequence[str], ipps: Sequence[str]
                     ) -> dict[tuple[str, str], str]:
        """Ward of a stay by NDA, and the current (else latest) ward of a patient by IPP."""
        wards: dict[tuple[str, str], str] = {}
        for chunk in _chunks(sorted(set(ndas))):
            marks = ", ".join("?" for _ in chunk)
            for r in self._rows(f"SELECT nda, ward_code FROM stays WHERE nda IN ({marks})"
                                " AND ward_code IS NOT NULL", chunk):
                wards[("nda", r["nda"])] = r["ward_code"]
        for chunk in _chunks(sorted({i for i in ipps if i})):
            marks = ", ".join("?" for _ in chunk)
            for r in self._rows(
                    "SELECT p.ipp, s.ward_code FROM stays s JOIN patients p ON p.id = s.patient_id"
                    f" WHERE p.ipp IN ({marks}) AND s.ward_code IS NOT NULL AND s.cancelled = 0"
                    " ORDER BY s.discharged_at IS NULL, s.admitted_at", chunk):
                wards[("ipp", r["ipp"])] = r["ward_code"]  # the last one wins: current stay
        return wards

    def review_identities_by_ipp(self, ipps: Sequence[str]) -> dict[str, PatientIdentity]:
        found: dict[str, PatientIdentity] = {}
        for chunk in _chunks(sorted({i for i in ipps if i})):
            marks = ", ".join("?" for _ in chunk)
            for r in self._rows("SELECT ipp, birth_name, used_name, given_names, birth_date, sex"
                                f" FROM patients WHERE ipp IN ({marks})", chunk):
                found[r["ipp"]] = PatientIdentity.from_dict(r)
        return found

    # -- storing a run -------------------------------------------------------------------------

    def save_reconciliation_run(self, record: RunRecord) -> RunInfo:
        """The run, every verdict, unmatched SIH item and identity candidate, and what it does
        to each flag: all in one transaction, or nothing."""
        at = clock.to_storage(record.at)
        user_id = record.user.id if record.user else None
        texts = _texts(record)  # joined and encoded before the write transaction begins
        with ThreadPoolExecutor(max_workers=1) as worker, self._transaction() as conn:
            # The texts are compressed meanwhile, in a thread that only runs zlib (which lets
            # go of the interpreter's lock): 0.2 s of a 50k-item run, off its path.
            packed = worker.submit(lambda: [(name, part, compress(data))
                                            for name, part, data in texts])
            run_id = (conn.insert(
                "INSERT INTO review_runs (at, user_id, sih_files, paper_source, paper_sha256,"
                " counts, unmatched, identity_counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (at, user_id, json.dumps([{"name": s.name, "sha256": s.sha256}
                                          for s in record.sih_files], ensure_ascii=False),
                 record.paper_source, record.paper_sha256, json.dumps(record.counts),
                 len(record.unmatched), json.dumps(record.identity_counts))))
            _insert_verdicts(conn, run_id, record)
            _insert_identities(conn, run_id, record)
            changes = _apply_flags(conn, run_id, at, record)
            conn.execute("UPDATE review_runs SET flag_changes = ? WHERE id = ?",
                         (json.dumps(changes), run_id))
            _audit(conn, user_id, "reconciliation_run", "review_run", run_id, {
                "sih_files": [{"name": s.name, "sha256": s.sha256} for s in record.sih_files],
                "paper_source": record.paper_source, "counts": record.counts,
                "flags": changes, "identities": record.identity_counts})
            conn.executemany("INSERT INTO review_texts (run_id, name, part, texts)"
                             " VALUES (?, ?, ?, ?)", ((run_id, *t) for t in packed.result()))
        info = self.review_run(run_id)
        assert info is not None
        return info

    # -- reading runs and flags ----------------------------------------------------------------

    def review_runs(self) -> list[RunInfo]:
        """Every stored run, newest first."""
        return [_run(r) for r in self._rows(
            "SELECT r.*, u.username FROM review_runs r LEFT JOIN users u ON u.id = r.user_id"
            " ORDER BY r.id DESC")]

    def review_run(self, run_id: int) -> RunInfo | None:
        rows = self._rows("SELECT r.*, u.username FROM review_runs r"
                          " LEFT JOIN users u ON u.id = r.user_id WHERE r.id = ?", [run_id])
        return _run(rows[0]) if rows else None

    def review_flags(self, run_id: int) -> list[FlagRow]:
        """The items of a run that are flagged, or that this run found fixed in the SIH."""
        marks = ", ".join("?" for _ in FLAGGED_VERDICTS)
        rows = self._rows(
            "SELECT f.id AS flag_id, v.item_key, v.verdict AS run_verdict, f.verdict, f.status,"
            " v.ward_code, v.ipp, v.temporary_id, v.search, v.kind, v.code,"
            " v.effective_time, f.resolution, f.first_flagged_at, f.closed_at, v.run_id,"
            " v.texts_part, v.texts_row"
            " FROM review_verdicts v JOIN review_flags f ON f.item_key = v.item_key"
            f" WHERE v.run_id = ? AND (v.verdict IN ({marks}) OR f.closed_by_run = v.run_id)"
            " ORDER BY v.ward_code, v.search, v.effective_time, v.item_key",
            [run_id, *FLAGGED_VERDICTS])
        return [_flag_row(r) for r in self.verdict_texts(rows, ("identity", "reason"))]

    def review_flag_detail(self, run_id: int, item_key: str) -> FlagDetail | None:
        rows = self._rows(
            "SELECT f.id AS flag_id, v.*, v.verdict AS run_verdict, f.verdict, f.status,"
            " f.resolution, f.first_flagged_at, f.closed_at, f.comment, f.closed_by_run,"
            " f.previous, u.username AS closed_by_name"
            " FROM review_verdicts v JOIN review_flags f ON f.item_key = v.item_key"
            " LEFT JOIN users u ON u.id = f.closed_by"
            " WHERE v.run_id = ? AND v.item_key = ?", [run_id, item_key])
        if not rows:
            return None
        r = self.verdict_texts(rows)[0]
        history = [FlagEvent(_must_time(e["at"]), e["action"], e["username"], e["run_id"],
                             e["verdict"], e["resolution"], e["comment"])
                   for e in self._rows(
                       "SELECT e.*, u.username FROM review_flag_events e"
                       " LEFT JOIN users u ON u.id = e.user_id WHERE e.flag_id = ?"
                       " ORDER BY e.id", [r["flag_id"]])]
        return FlagDetail(
            row=_flag_row(r), run_id=run_id, paper=json.loads(r["paper"]),
            sih=json.loads(r["sih"]), sih_ids=tuple(json.loads(r["sih_ids"])),
            differs_on=tuple(json.loads(r["differs_on"])), score=r["score"], serial=r["serial"],
            page=r["page"], comment=r["comment"], closed_by=r["closed_by_name"],
            closed_by_run=r["closed_by_run"],
            previous=json.loads(r["previous"]) if r["previous"] else None, history=history)

    def review_flag(self, item_key: str) -> dict[str, Any] | None:
        """The flag of one paper item as it stands now (None: never flagged)."""
        rows = self._rows("SELECT * FROM review_flags WHERE item_key = ?", [item_key])
        return rows[0] if rows else None

    def review_unmatched(self, run_id: int) -> list[dict[str, Any]]:
        """SIH items no paper item claimed: listed, not errors."""
        text = self.review_unmatched_text(run_id)
        return json.loads(text) if text is not None else []

    def review_unmatched_text(self, run_id: int) -> str | None:
        """The unmatched SIH items of a run as stored: one JSON array (``[]`` if none; None
        for a run stored with none before migration 0012)."""
        rows = self._rows("SELECT texts FROM review_texts WHERE run_id = ? AND name = ?"
                          " ORDER BY part", [run_id, UNMATCHED])
        return unpack_slices(r["texts"] for r in rows) if rows else None

    def review_verdicts(self, run_id: int) -> list[dict[str, Any]]:
        """Every verdict of a run as stored, in item key order: the columns of
        ``review_verdicts`` as migration 0008 made them, texts included."""
        return [verdict_columns(r) for r in self.verdict_texts(self._rows(
            "SELECT * FROM review_verdicts WHERE run_id = ? ORDER BY item_key", [run_id]))]

    def verdict_texts(self, rows: list[dict[str, Any]],
                      names: Sequence[str] = VERDICT_TEXTS) -> list[dict[str, Any]]:
        """``rows`` of ``review_verdicts`` (with their ``run_id``, ``texts_part`` and
        ``texts_row``) given their texts ``names`` (``identity``, ``reason``, ``paper``,
        ``sih``) from ``review_texts``, opening each part needed once; ``texts_part`` and
        ``texts_row`` are taken out."""
        parts: dict[int, set[int]] = {}
        for r in rows:
            parts.setdefault(r["run_id"], set()).add(r["texts_part"])
        texts: dict[tuple[int, str, int], list[str]] = {}
        names_marks = ", ".join("?" for _ in names)
        for run_id, numbers in parts.items():
            for chunk in _chunks(sorted(numbers)):
                for t in self._rows(
                        "SELECT name, part, texts FROM review_texts WHERE run_id = ?"
                        f" AND name IN ({names_marks})"
                        f" AND part IN ({', '.join('?' for _ in chunk)})",
                        [run_id, *names, *chunk]):
                    texts[(run_id, t["name"], t["part"])] = unpack(t["texts"])
        for r in rows:
            run_id, part, at = r["run_id"], r.pop("texts_part"), r.pop("texts_row")
            for name in names:
                r[name] = texts[(run_id, name, part)][at]
        return rows

    # -- resolving -----------------------------------------------------------------------------

    def resolve_review_flag(self, flag_id: int, resolution: str, comment: str | None,
                            user: User, *, now: datetime | None = None) -> None:
        """Close an open flag with a person's reason (the caller checked the right)."""
        at = clock.to_storage(now or clock.now())
        with self._transaction() as conn:
            row = conn.execute("SELECT item_key, verdict FROM review_flags WHERE id = ?"
                               " AND status = 'open'", (flag_id,)).fetchone()
            if row is None:  # another reviewer closed it meanwhile
                raise UserError("review.already_closed", key=_flag_key(conn, flag_id))
            conn.execute("UPDATE review_flags SET status = 'closed', resolution = ?, comment = ?,"
                         " closed_at = ?, closed_by = ?, closed_by_run = NULL WHERE id = ?",
                         (resolution, comment, at, user.id, flag_id))
            _event(conn, flag_id, at, "resolved", user.id, None, row[1], resolution, comment)
            _audit(conn, user.id, "flag_resolved", "review_flag", flag_id, {
                "item_key": row[0], "verdict": row[1], "resolution": resolution,
                "comment": comment})

    def reopen_review_flag(self, flag_id: int, comment: str | None, user: User) -> None:
        now = clock.to_storage(clock.now())
        with self._transaction() as conn:
            row = conn.execute("SELECT item_key, verdict FROM review_flags WHERE id = ?"
                               " AND status = 'closed'", (flag_id,)).fetchone()
            if row is None:  # another reviewer (or a run) reopened it meanwhile
                raise UserError("review.already_open", key=_flag_key(conn, flag_id))
            previous = _reopen(conn, flag_id, row[1])
            _event(conn, flag_id, now, "reopened", user.id, None, row[1], None, comment)
            _audit(conn, user.id, "flag_reopened", "review_flag", flag_id, {
                "item_key": row[0], "verdict": row[1], "comment": comment,
                "previous": previous})

    # -- identities ----------------------------------------------------------------------------

    def identity_cases(self, run_id: int) -> list[IdentityCase]:
        candidates: dict[str, list[IdentityCandidate]] = {}
        for c in self._rows("SELECT * FROM review_identity_candidates WHERE run_id = ?"
                            " ORDER BY left_id, rank", [run_id]):
            candidates.setdefault(c["left_id"], []).append(IdentityCandidate(
                c["right_id"], c["score"], c["fields"],
                PatientIdentity.from_dict(json.loads(c["traits"])), c["rank"]))
        current = self.identity_decisions()
        return [IdentityCase(r["left_id"], r["decision"], r["right_id"], r["score"], r["fields"],
                             json.loads(r["reason"]),
                             PatientIdentity.from_dict(json.loads(r["traits"])),
                             r["applied_right_id"], candidates.get(r["left_id"], []),
                             current.get(r["left_id"]))
                for r in self._rows("SELECT * FROM review_identities WHERE run_id = ?"
                                    " ORDER BY decision = 'review' DESC, left_id", [run_id])]

    def identity_decisions(self) -> dict[str, IdentityDecisionRecord]:
        """The latest decision of the identity-vigilance cell on each temporary identity."""
        rows = self._rows(
            "SELECT d.*, u.username FROM identity_decisions d JOIN users u ON u.id = d.user_id"
            " WHERE d.id IN (SELECT max(id) FROM identity_decisions GROUP BY left_id)")
        return {r["left_id"]: IdentityDecisionRecord(r["action"], r["right_id"], r["username"],
                                                     _must_time(r["at"]), r["comment"])
                for r in rows}

    def record_identity_decision(self, left_id: str, action: str, right_id: str | None,
                                 comment: str | None, user: User, run_id: int | None) -> None:
        now = clock.to_storage(clock.now())
        with self._transaction() as conn:
            decision_id = (conn.insert(
                "INSERT INTO identity_decisions (left_id, action, right_id, user_id, at, run_id,"
                " comment) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (left_id, action, right_id, user.id, now, run_id, comment)))
            _audit(conn, user.id, f"identity_{action}", "identity", decision_id, {
                "left_id": left_id, "right_id": right_id, "run_id": run_id, "comment": comment})


# -- writing helpers (inside the run's transaction) -------------------------------------------


# Each of a verdict's texts, from its ``VerdictRecord``.
_TEXT_OF = tuple(attrgetter(name) for name in VERDICT_TEXTS)


def _insert_verdicts(conn: SqlConnection, run_id: int, record: RunRecord) -> None:
    """Every verdict; its texts go to ``review_texts`` (``_texts``), and its row says where."""
    conn.executemany(
        "INSERT INTO review_verdicts (run_id, item_key, verdict, ipp, temporary_id, search,"
        " ward_code, kind, code, effective_time, sih_ids, score, differs_on, serial, page,"
        " texts_part, texts_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((run_id, v[0], v[1], v[2], v[3], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12],
          v[16], v[17], n // PART, n % PART) for n, v in enumerate(record.verdicts)))


def _texts(record: RunRecord) -> list[tuple[str, int, bytes]]:
    """The rows of ``review_texts`` for a run (less its id), before compression: its
    verdicts' texts ``PART`` verdicts at a time, and its unmatched SIH items (read whole, a
    run at a time)."""
    verdicts = record.verdicts
    texts = [(name, start // PART, joined(list(map(text_of, verdicts[start:start + PART]))))
             for start in range(0, len(verdicts), PART)
             for name, text_of in zip(VERDICT_TEXTS, _TEXT_OF, strict=True)]
    texts.extend((UNMATCHED, part, data)  # "[]" too: every run has its array
                 for part, data in enumerate(slices(json_list(record.unmatched))))
    return texts


def _insert_identities(conn: SqlConnection, run_id: int, record: RunRecord) -> None:
    """Every temporary identity's outcome, then every candidate: one statement each."""
    empty = PatientIdentity()
    conn.executemany(
        "INSERT INTO review_identities (run_id, left_id, decision, right_id, score, fields,"
        " reason, traits, applied_right_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(run_id, o.left_id, o.decision, o.right_id, o.score, o.fields,
          json.dumps(o.reason, ensure_ascii=False),
          json.dumps(record.left_traits.get(o.left_id, empty).as_dict(), ensure_ascii=False),
          record.applied_links.get(o.left_id)) for o in record.identities])
    conn.executemany(
        "INSERT INTO review_identity_candidates (run_id, left_id, rank, right_id, score,"
        " fields, traits) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(run_id, o.left_id, rank, c.right_id, c.score, c.fields,
          json.dumps(record.right_traits.get(c.right_id, empty).as_dict(), ensure_ascii=False))
         for o in record.identities for rank, c in enumerate(o.candidates, start=1)])


def _apply_flags(conn: SqlConnection, run_id: int, at: str, record: RunRecord
                 ) -> dict[str, int]:
    """Open, keep, close or reopen every flag this run touches (``domain.review_lifecycle``).

    Flags that merely stay as they are (most of them, run after run) are updated together at
    the end; every other change is written in verdict order, with its event and audit line."""
    flags = {r[0]: r[1:] for r in conn.execute(
        "SELECT item_key, id, verdict, status, resolution, paper_source FROM review_flags")}
    changes: dict[str, int] = {}
    user_id = record.user.id if record.user else None
    seen = set()
    kept: list[int] = []  # flags that stay as they are: their ids
    flagged: list[tuple[str, str | None]] = []  # new flags: written together below
    for v in record.verdicts:
        seen.add(v.item_key)
        existing = flags.get(v.item_key)
        state = FlagState(existing[1], existing[2], existing[3]) if existing else None
        change = transition(state, v.verdict)
        if change is None:
            continue
        changes[change.action] = changes.get(change.action, 0) + 1
        if change.action == KEPT and existing:
            kept.append(existing[0])
            continue
        if change.action == FLAGGED or not existing:
            flagged.append((v.item_key, change.verdict))
            continue
        _apply(conn, run_id, at, user_id, record.paper_source, v.item_key, existing[0], change)
    _insert_new_flags(conn, run_id, at, record.paper_source, flagged)
    for key, (flag_id, verdict, status, resolution, source) in flags.items():
        if key in seen or source != record.paper_source or status != OPEN:
            continue
        change = transition(FlagState(verdict, status, resolution), None)
        if change is not None:
            _apply(conn, run_id, at, user_id, source, key, flag_id, change)
            changes[change.action] = changes.get(change.action, 0) + 1
    for chunk in _chunks(kept):  # a statement per 500 flags, not one per flag
        conn.execute("UPDATE review_flags SET last_run_id = ?, paper_source = ?"
                     f" WHERE id IN ({', '.join('?' for _ in chunk)})",
                     (run_id, record.paper_source, *chunk))
    return changes


def _insert_new_flags(conn: SqlConnection, run_id: int, at: str, source: str,
                      flagged: Sequence[tuple[str, str | None]]) -> None:
    """The run's new flags and their first events, in two statements each side rather than
    two per flag (a server pays a network round trip per statement)."""
    if not flagged:
        return
    conn.executemany(
        "INSERT INTO review_flags (item_key, paper_source, verdict, status, first_run_id,"
        " first_flagged_at, last_run_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(key, source, verdict, OPEN, run_id, at, run_id) for key, verdict in flagged])
    ids = {r[1]: r[0] for r in conn.execute(
        "SELECT id, item_key FROM review_flags WHERE first_run_id = ? AND paper_source = ?",
        (run_id, source))}
    conn.executemany(
        "INSERT INTO review_flag_events (flag_id, at, action, user_id, run_id, verdict,"
        " resolution, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(ids[key], at, FLAGGED, None, run_id, verdict, None, None)
         for key, verdict in flagged])


def _apply(conn: SqlConnection, run_id: int, at: str, user_id: int | None, source: str,
           key: str, flag_id: int | None, change: Transition) -> None:
    if change.action == FLAGGED or flag_id is None:
        flag_id = (conn.insert(
            "INSERT INTO review_flags (item_key, paper_source, verdict, status, first_run_id,"
            " first_flagged_at, last_run_id) VALUES (?, ?, ?, 'open', ?, ?, ?)",
            (key, source, change.verdict, run_id, at, run_id)))
        _event(conn, flag_id, at, FLAGGED, None, run_id, change.verdict, None, None)
        return
    if change.action == KEPT:
        conn.execute("UPDATE review_flags SET last_run_id = ?, paper_source = ? WHERE id = ?",
                     (run_id, source, flag_id))
        return
    if change.action == VERDICT_CHANGED:
        conn.execute("UPDATE review_flags SET last_run_id = ?, paper_source = ?, verdict = ?"
                     " WHERE id = ?", (run_id, source, change.verdict, flag_id))
        _event(conn, flag_id, at, VERDICT_CHANGED, None, run_id, change.verdict, None, None)
        return
    if change.action == REOPENED:
        conn.execute("UPDATE review_flags SET last_run_id = ?, paper_source = ? WHERE id = ?",
                     (run_id, source, flag_id))
        previous = _reopen(conn, flag_id, change.verdict)
        _event(conn, flag_id, at, REOPENED, None, run_id, change.verdict, None, None)
        _audit(conn, user_id, "flag_reopened_by_run", "review_flag", flag_id, {
            "item_key": key, "run_id": run_id, "verdict": change.verdict, "previous": previous})
        return
    assert change.action in (CLOSED_BY_RUN, SUPERSEDED)
    conn.execute("UPDATE review_flags SET last_run_id = ?, paper_source = ?, status = ?,"
                 " resolution = ?, comment = NULL, closed_at = ?, closed_by = NULL,"
                 " closed_by_run = ? WHERE id = ?",
                 (run_id, source, CLOSED, change.resolution, at, run_id, flag_id))
    _event(conn, flag_id, at, change.action, None, run_id, change.verdict, change.resolution,
           None)
    _audit(conn, user_id, "flag_closed_by_run", "review_flag", flag_id, {
        "item_key": key, "run_id": run_id, "resolution": change.resolution})


def _reopen(conn: SqlConnection, flag_id: int, verdict: str) -> dict[str, Any]:
    """Open the flag again, keeping the resolution it had so that it can still be shown."""
    r = conn.execute(
        "SELECT f.verdict, f.resolution, f.comment, f.closed_at, f.closed_by_run, u.username"
        " FROM review_flags f LEFT JOIN users u ON u.id = f.closed_by WHERE f.id = ?",
        (flag_id,)).fetchone()
    previous = {"verdict": r[0], "resolution": r[1], "comment": r[2], "closed_at": r[3],
                "closed_by_run": r[4], "closed_by": r[5]}
    conn.execute("UPDATE review_flags SET status = 'open', verdict = ?, resolution = NULL,"
                 " comment = NULL, closed_at = NULL, closed_by = NULL, closed_by_run = NULL,"
                 " previous = ? WHERE id = ?",
                 (verdict, json.dumps(previous, ensure_ascii=False), flag_id))
    return previous


def _flag_key(conn: SqlConnection, flag_id: int) -> str:
    row = conn.execute("SELECT item_key FROM review_flags WHERE id = ?", (flag_id,)).fetchone()
    return str(row[0]) if row else str(flag_id)


def _event(conn: SqlConnection, flag_id: int, at: str, action: str, user_id: int | None,
           run_id: int | None, verdict: str | None, resolution: str | None,
           comment: str | None) -> None:
    conn.execute("INSERT INTO review_flag_events (flag_id, at, action, user_id, run_id, verdict,"
                 " resolution, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (flag_id, at, action, user_id, run_id, verdict, resolution, comment))


# -- reading helpers ----------------------------------------------------------------------------


# review_verdicts' columns as migration 0008 made them, texts included, in its order.
VERDICT_COLUMNS = ("run_id", *VerdictRecord._fields)


def verdict_columns(r: dict[str, Any]) -> dict[str, Any]:
    return {name: r[name] for name in VERDICT_COLUMNS}


def _run(r: dict[str, Any]) -> RunInfo:
    return RunInfo(r["id"], _must_time(r["at"]), r["username"],
                   tuple(SourceInfo(s["name"], s["sha256"]) for s in json.loads(r["sih_files"])),
                   r["paper_source"], json.loads(r["counts"]), r["unmatched"],
                   json.loads(r["identity_counts"]), json.loads(r["flag_changes"]))


def _flag_row(r: dict[str, Any]) -> FlagRow:
    return FlagRow(
        flag_id=r["flag_id"], item_key=r["item_key"], run_verdict=r["run_verdict"],
        verdict=r["verdict"], status=r["status"], ward_code=r["ward_code"] or "",
        ipp=r["ipp"] or "", temporary_id=r["temporary_id"] or "",
        identity=PatientIdentity.from_dict(json.loads(r["identity"])), search=r["search"],
        kind=r["kind"], code=r["code"], effective_time=_must_time(r["effective_time"]),
        reason_tree=r["reason"], resolution=r["resolution"],
        first_flagged_at=_must_time(r["first_flagged_at"]), closed_at=_time(r["closed_at"]))
