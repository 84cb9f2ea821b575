"""The audit trail is a hash chain: what an attacker changes with the database's own driver
(sqlite3, psycopg) is found and named, on both engines; records written before the chain existed
are chained by the migration; writers on two connections never fork it; an audit pack refuses a
broken trail and keeps the head in its manifest."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from cli_passwords import ENV, give_passwords
from click.testing import CliRunner

from reentry.cli import cli
from reentry.domain.entry import Role
from reentry.domain.events import DeclareEvent
from reentry.events.service import declare_event, end_event
from reentry.reports.audit_pack import write_audit_pack
from reentry.store import open_store
from reentry.store.audit_chain import GENESIS, Breach, ChainHead, record_hash
from reentry.store.database import SqlConnection, server_engine
from reentry.store.migrate import migrate_server
from reentry.store.schema import MIGRATION_FUNCTIONS, MIGRATION_NAMES, migrations

START = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def _fill(store, users: int = 6) -> None:
    """A few audited actions: people added, an outage declared and ended."""
    manager = store.add_user("cadre", "Claire Cadre", Role.WARD_MANAGER)
    for n in range(users):
        store.add_user(f"ide{n}", f"Infirmière {n}", Role.NURSE)
    declared = declare_event(store, DeclareEvent("Coupure réseau", START, manager, planned=True))
    end_event(store, manager, declared.event.id, START.replace(hour=23))


class Attacker:
    """The database opened with its own driver, as someone with the file or the password would:
    ``?`` placeholders on both (rewritten for psycopg), autocommit."""

    def __init__(self, location: Path | str) -> None:
        self.server = isinstance(location, str)
        self.conn = (psycopg.connect(location, autocommit=True) if self.server
                     else sqlite3.connect(location, isolation_level=None))

    def run(self, sql: str, params: tuple = ()) -> list[tuple]:
        cursor = self.conn.execute(sql.replace("?", "%s") if self.server else sql, params)
        return cursor.fetchall() if cursor.description else []

    def record(self, seq: int) -> dict:
        columns = ("id", "seq", "at", "user_id", "action", "subject", "record_id", "detail",
                   "prev_hash", "hash")
        row = self.run(f"SELECT {', '.join(columns)} FROM audit_log WHERE seq = ?", (seq,))[0]
        return dict(zip(columns, row, strict=True))

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def attacker(store_location):
    opened = []

    def attack() -> Attacker:
        opened.append(Attacker(store_location))
        return opened[-1]
    yield attack
    for one in opened:
        one.close()


def _verify(location: Path | str, *extra: str):
    return CliRunner().invoke(cli, ["--db", str(location), "audit", "verify", *extra])


@pytest.mark.both_backends
def test_an_intact_chain_verifies_and_names_its_head(store, store_location):
    _fill(store)
    check = store.verify_audit_chain()
    assert check.intact and check.records == len(store.audit()) == 9
    rows = store.audit()
    assert [r["seq"] for r in rows] == list(range(1, 10))  # ranks follow the writing order
    assert rows[0]["prev_hash"] == GENESIS and all(
        b["prev_hash"] == a["hash"] for a, b in zip(rows, rows[1:], strict=False))
    last = rows[-1]
    assert last["hash"] == record_hash(last["seq"], last["at"], last["user_id"], last["action"],
                                       last["subject"], last["record_id"], last["detail"],
                                       last["prev_hash"])
    assert check.head == ChainHead(9, last["hash"], last["id"])

    result = _verify(store_location)
    assert result.exit_code == 0, result.output
    assert result.output == (f"Journal d'audit intact : 9 enregistrement(s) chaîné(s) ;"
                             f" tête de chaîne 9:{last['hash']}.\n")
    assert _verify(store_location, "--expect-head", f"9:{last['hash']}").exit_code == 0
    assert _verify(store_location, "--expect-head", f"4:{rows[3]['hash']}").exit_code == 0


def test_an_empty_trail_is_intact(store, db_path):
    assert store.verify_audit_chain().intact
    result = _verify(db_path)
    assert result.exit_code == 0 and "0 enregistrement(s)" in result.output


def _broken(location: Path | str) -> str:
    """``reentry audit verify``'s one line on a broken chain (exit 1)."""
    result = _verify(location)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Erreur : Journal d'audit ")
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.both_backends
def test_an_update_is_found_and_the_record_named(store, store_location, attacker):
    _fill(store)
    victim = attacker().record(5)
    attacker().run("UPDATE audit_log SET detail = ? WHERE id = ?",
                   (victim["detail"].replace("ide3", "mallory"), victim["id"]))

    check = store.verify_audit_chain()
    assert (check.breach, check.record_id, check.seq, check.records) == (
        Breach.ALTERED, victim["id"], 5, 4)
    assert _broken(store_location) == (
        f"Erreur : Journal d'audit rompu : l'enregistrement n° {victim['id']} (rang 5) a été"
        " modifié après son écriture. Prévenez le responsable de la sécurité (RSSI) et ne"
        " touchez plus à la base.")


@pytest.mark.both_backends
def test_an_update_that_recomputes_the_hash_is_found_by_the_next_record(store, attacker):
    _fill(store)
    spy = attacker()
    victim = spy.record(3)
    forged = victim["action"] + "_forged"
    digest = record_hash(3, victim["at"], victim["user_id"], forged, victim["subject"],
                         victim["record_id"], victim["detail"], victim["prev_hash"])
    spy.run("UPDATE audit_log SET action = ?, hash = ? WHERE id = ?",
            (forged, digest, victim["id"]))
    check = store.verify_audit_chain()
    assert (check.breach, check.record_id, check.seq) == (Breach.ALTERED, victim["id"], 3)


@pytest.mark.both_backends
def test_a_delete_is_found_and_the_gap_named(store, store_location, attacker):
    _fill(store)
    spy = attacker()
    gone, after = spy.record(4), spy.record(5)
    spy.run("DELETE FROM audit_log WHERE id = ?", (gone["id"],))

    check = store.verify_audit_chain()
    assert (check.breach, check.record_id, check.seq, check.missing) == (
        Breach.DELETED, after["id"], 5, 1)
    assert _broken(store_location) == (
        f"Erreur : Journal d'audit rompu : 1 enregistrement(s) supprimé(s) juste avant"
        f" l'enregistrement n° {after['id']} (rang 5). Prévenez le responsable de la sécurité"
        " (RSSI) et ne touchez plus à la base.")


@pytest.mark.both_backends
def test_deleting_the_last_records_or_all_of_them_is_found(store, attacker):
    _fill(store)
    spy = attacker()
    last_kept = spy.record(7)
    spy.run("DELETE FROM audit_log WHERE seq > 7")
    check = store.verify_audit_chain()
    assert (check.breach, check.record_id, check.missing, check.at_end) == (
        Breach.DELETED, last_kept["id"], 2, True)
    spy.run("DELETE FROM audit_log")
    emptied = store.verify_audit_chain()
    assert (emptied.breach, emptied.missing) == (Breach.DELETED, 9)
    assert "ses 9 enregistrement(s) ont été supprimés" in emptied.message().render()


@pytest.mark.both_backends
def test_an_inserted_record_is_found(store, store_location, attacker):
    _fill(store)
    spy = attacker()
    spy.run("INSERT INTO audit_log (at, user_id, action, subject, record_id, detail)"
            " VALUES (?, NULL, 'user_added', 'user', 99, '{\"username\": \"mallory\"}')",
            ("2026-11-23T21:30:00+00:00",))
    forged = spy.run("SELECT max(id) FROM audit_log")[0][0]

    check = store.verify_audit_chain()
    assert (check.breach, check.record_id) == (Breach.INSERTED, forged)
    assert _broken(store_location) == (
        f"Erreur : Journal d'audit rompu : l'enregistrement n° {forged} a été ajouté hors de"
        " la chaîne. Prévenez le responsable de la sécurité (RSSI) et ne touchez plus à la base.")


@pytest.mark.both_backends
def test_a_record_inserted_with_a_well_computed_hash_is_found(store, attacker):
    """Someone who knows the scheme appends a record that links and hashes correctly; the head
    row, which they did not move, says the chain ended before it."""
    _fill(store)
    spy = attacker()
    last = spy.record(9)
    at, detail = "2026-11-23T21:30:00+00:00", '{"username": "mallory", "role": "admin"}'
    digest = record_hash(10, at, None, "user_added", "user", 99, detail, last["hash"])
    spy.run("INSERT INTO audit_log (at, user_id, action, subject, record_id, detail, seq,"
            " prev_hash, hash) VALUES (?, NULL, 'user_added', 'user', 99, ?, 10, ?, ?)",
            (at, detail, last["hash"], digest))
    forged = spy.run("SELECT id FROM audit_log WHERE seq = 10")[0][0]
    check = store.verify_audit_chain()
    assert (check.breach, check.record_id, check.seq) == (Breach.INSERTED, forged, 10)


@pytest.mark.both_backends
def test_a_chain_rebuilt_after_an_update_is_found_by_the_head_noted_earlier(
        store, store_location, attacker):
    """The attacker alters a record and rebuilds every hash after it and the head: the chain is
    sound again, but the head an audit pack wrote down is no longer in it."""
    _fill(store)
    noted = store.verify_audit_chain().head
    spy = attacker()
    previous = spy.record(2)["prev_hash"]
    for seq in range(2, 10):
        r = spy.record(seq)
        action = "user_removed" if seq == 2 else r["action"]
        digest = record_hash(seq, r["at"], r["user_id"], action, r["subject"], r["record_id"],
                             r["detail"], previous)
        spy.run("UPDATE audit_log SET action = ?, prev_hash = ?, hash = ? WHERE id = ?",
                (action, previous, digest, r["id"]))
        previous = digest
    spy.run("UPDATE audit_chain_head SET hash = ? WHERE id = 1", (previous,))

    assert store.verify_audit_chain().intact  # sound: rebuilt by someone who knows how
    rewritten = store.verify_audit_chain(noted)
    assert rewritten.breach is Breach.REWRITTEN
    result = _verify(store_location, "--expect-head", noted.text())
    assert result.exit_code == 1
    assert result.output.startswith(f"Erreur : Journal d'audit réécrit : la tête {noted.text()}"
                                    f" relevée auparavant n'y est plus (rang 9 : {previous}).")


def test_a_head_that_is_not_one_is_refused_clearly(store, db_path):
    result = _verify(db_path, "--expect-head", "douze")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith("Erreur : « douze » n'est pas une tête de chaîne")


def _old_records(conn_execute) -> None:
    """Audit lines as Reentry wrote them before the chain (no rank, no hash)."""
    for n in range(5):
        conn_execute("INSERT INTO audit_log (at, user_id, action, subject, record_id, detail)"
                     " VALUES (?, NULL, 'user_added', 'user', ?, ?)",
                     (f"2026-11-2{n}T08:00:00+00:00", n + 1, json.dumps({"username": f"u{n}"})))


@pytest.mark.both_backends
def test_the_migration_chains_the_records_written_before_it(store_location, db_path):
    before = MIGRATION_NAMES[:MIGRATION_NAMES.index("0010_audit_chain")]
    if isinstance(store_location, str):
        conn = SqlConnection(server_engine(store_location), "test")
        try:
            migrate_server(conn, before, MIGRATION_FUNCTIONS)
            _old_records(conn.execute)
            conn.execute("DELETE FROM audit_log WHERE record_id = 3")  # ids need not follow
        finally:
            conn.close()
    else:
        from sqlite_utils import Database

        raw = sqlite3.connect(db_path, isolation_level=None)
        migrations.apply(Database(raw), stop_before="0010_audit_chain")
        _old_records(raw.execute)
        raw.execute("DELETE FROM audit_log WHERE record_id = 3")
        raw.close()

    store = open_store(store_location)
    try:
        rows = store.audit()
        assert [(r["seq"], r["record_id"]) for r in rows] == [(1, 1), (2, 2), (3, 4), (4, 5)]
        assert store.verify_audit_chain().intact
        store.add_user("apres", "Après", Role.NURSE)  # the chain goes on from there
        check = store.verify_audit_chain()
        assert check.intact and check.head.seq == 5
    finally:
        store.close()


@pytest.mark.both_backends
def test_two_connections_writing_at_once_never_fork_the_chain(store_location, store):
    """Two PCs add records at the same moment: every record has its own rank, each links to the
    one before it (a loser on a server waits for the head, then writes again on the new one)."""
    store.add_user("premier", "Premier", Role.NURSE)
    failures: list[BaseException] = []
    barrier = threading.Barrier(3)

    def pc(name: str) -> None:
        own = open_store(store_location)
        try:
            barrier.wait()
            for n in range(25):
                own.add_user(f"{name}{n}", name, Role.NURSE)
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            failures.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=pc, args=(name,)) for name in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    check = store.verify_audit_chain()
    assert check.intact and check.records == 76
    assert sorted(r["seq"] for r in store.audit()) == list(range(1, 77))


@pytest.mark.both_backends
def test_the_audit_pack_refuses_a_broken_chain_and_keeps_the_head(
        store, store_location, attacker, tmp_path):
    _fill(store)
    quality = store.add_user("qualite", "Quentin Qualité", Role.QUALITY)
    give_passwords(store_location)
    event_id = store.outage_events()[0].id
    packs = tmp_path / "packs"
    pack = write_audit_pack(store, event_id, packs / "pack", user=quality)
    manifest = json.loads((pack.folder / "manifest.json").read_text(encoding="utf-8"))
    written = store.audit()[-1]  # the pack itself is in the audit trail, after the head it kept
    assert (written["action"], written["username"]) == ("audit_pack_written", "qualite")
    noted = f"{written['seq'] - 1}:{written['prev_hash']}"
    assert manifest["audit_chain_head"] == noted
    assert json.loads(written["detail"])["audit_chain_head"] == noted
    assert f"--expect-head {noted}" in (pack.folder / "README.txt").read_text("utf-8")
    lines = (pack.folder / "journal-audit.csv").read_text("utf-8").splitlines()
    ended = next(r for r in reversed(store.audit()) if r["action"] == "event_ended")
    assert lines[0].endswith(",seq,hash") and lines[-1].endswith(f",{ended['seq']},{ended['hash']}")

    victim = attacker().record(8)
    attacker().run("UPDATE audit_log SET at = ? WHERE id = ?",
                   ("2026-11-23T22:00:00+00:00", victim["id"]))
    result = CliRunner(env=ENV).invoke(cli, [
        "--db", str(store_location), "audit-pack", "--event", str(event_id), "--out",
        str(packs / "forged"), "--user", "qualite"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == (
        "Erreur : Dossier d'audit non écrit, le journal d'audit ne peut pas être exporté tel"
        f" quel. Journal d'audit rompu : l'enregistrement n° {victim['id']} (rang 8) a été"
        " modifié après son écriture. Prévenez le responsable de la sécurité (RSSI) et ne"
        " touchez plus à la base.\n")
    assert sorted(p.name for p in packs.iterdir()) == ["pack"]  # nothing half-written


DEPLOYMENT = Path(__file__).resolve().parent.parent / "docs" / "deployment.md"


def _documented_grants(role: str, database: str) -> tuple[str, list[str]]:
    """docs/deployment.md's SQL for the PCs' stricter role, as written there (the block that
    makes ``audit_log`` insert-only), for ``role`` on ``database``: the ``CREATE ROLE`` line
    (run by the server's administrator) and the owner's grants."""
    blocks = re.findall(r"```sql\n(.*?)```", DEPLOYMENT.read_text(encoding="utf-8"), re.S)
    block = next(b for b in blocks if "audit_log" in b and "REVOKE" in b)
    statements = []
    for line in block.splitlines():
        line = line.split("--", 1)[0].strip()
        if line and not line.startswith("\\"):
            statements.append(line)
    text = re.sub(r"\breentry_poste\b", role, " ".join(statements))
    text = re.sub(r"\bON DATABASE reentry\b", f'ON DATABASE "{database}"', text)
    sql = [s.strip() for s in text.split(";") if s.strip()]
    create = next(s for s in sql if s.upper().startswith("CREATE ROLE"))
    return create, [s for s in sql if s is not create]


def test_the_documented_pc_role_may_only_insert_audit_records(postgres_server, postgres_url):
    """The PCs' role of docs/deployment.md, created here as a second role: Reentry works with
    it (audited writes, verify), and the server itself refuses it an UPDATE, a DELETE or a
    TRUNCATE of the audit trail."""
    owner = open_store(postgres_url)  # the owner sets the schema up, as the doc says
    _fill(owner)
    owner.close()
    role = f"poste_{os.getpid()}"
    database = postgres_url.rsplit("/", 1)[1]
    create, grants = _documented_grants(role, database)
    password = "un secret de poste"
    create = re.sub(r"PASSWORD\s+'[^']*'", f"PASSWORD '{password}'", create)
    with postgres_server.admin() as admin:
        admin.execute(create)
    try:
        with psycopg.connect(postgres_url, autocommit=True) as conn:  # the owner grants
            for statement in grants:
                conn.execute(statement)
        pc_url = re.sub(r"//[^@]*@", f"//{role}:{quote(password)}@", postgres_url)
        pc = open_store(pc_url)
        try:
            manager = pc.user_by_name("cadre")
            pc.add_user("poste", "Poste", Role.NURSE)  # an audited write through the chain
            declared = declare_event(pc, DeclareEvent("Deuxième coupure", START, manager))
            assert declared.event.id and pc.verify_audit_chain().records == 11
        finally:
            pc.close()
        with psycopg.connect(pc_url, autocommit=True) as attacker:
            for forgery in ("UPDATE audit_log SET action = 'rien' WHERE seq = 2",
                            "DELETE FROM audit_log WHERE seq = 2",
                            "TRUNCATE audit_log"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege,
                                   match="permission denied for table audit_log"):
                    attacker.execute(forgery)
            with pytest.raises(psycopg.errors.InsufficientPrivilege,  # nor change the schema
                               match="permission denied for schema public"):
                attacker.execute("CREATE TABLE audit_log_copie (x integer)")
            attacker.execute("INSERT INTO audit_log (at, action, subject, detail)"
                             " VALUES ('2026-11-24T00:00:00+00:00', 'x', 'y', '{}')")
        check = open_store(postgres_url)
        try:  # what it may still do, insert, is found
            assert check.verify_audit_chain().breach is Breach.INSERTED
        finally:
            check.close()
    finally:
        with postgres_server.admin(database) as admin:
            admin.execute(f'DROP OWNED BY "{role}"')
            admin.execute(f'DROP ROLE "{role}"')
