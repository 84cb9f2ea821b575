"""The people of tests/test_concurrency_server.py, each in its own OS process on one server.

    python tests/concurrency_workers.py JOB.json

``JOB.json`` says who this process is (``role``), where the start signal will appear (``go``:
every process waits for that file, so that all of them work at the same moment rather than
one after the other as they finish importing) and where to write what happened (``result``).
The database is ``$REENTRY_DB``, as on a ward PC.

Roles:

* ``typist``: opens sheets by their code, confirms the identity, saves rows (some rows are also
  saved by another typist on the same sheet at the same moment), may mark a sheet finished;
* ``reprint``: reprints patients one after the other (``reentry reprint``'s service);
* ``declare``: a ward manager declaring sheets lost or not used;
* ``cli``: runs ``reentry`` itself with the given arguments, in this process, after the signal.

Every outcome is recorded: what the person was told was saved, every refusal (its message id,
its text, whether it is a database error) and every other exception with its traceback.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

GO_TIMEOUT = 120.0  # seconds a worker waits for the start signal before giving up


def wait_for(go: Path) -> None:
    deadline = time.monotonic() + GO_TIMEOUT
    while not go.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no start signal at {go}")
        time.sleep(0.002)


class Outcomes:
    """What one worker saw, written as JSON at the end."""

    def __init__(self) -> None:
        self.done: list[dict[str, Any]] = []
        self.refused: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.started = self.ended = 0.0

    def attempt(self, what: dict[str, Any], action: Callable[[], dict[str, Any] | None]) -> None:
        """Run ``action``; a refusal is recorded with ``what`` it was about, anything else that
        escapes is a bug (recorded with its traceback)."""
        from reentry.errors import DatabaseError, UserError
        from reentry.store.database import WriteConflict

        try:
            result = action()
        except UserError as error:
            self.refused.append({**what, "message_id": error.msg.id, "text": error.message(),
                                 "database_error": isinstance(error, DatabaseError | WriteConflict)})
        except Exception:  # noqa: BLE001 - every other escape is a bug, reported by the test
            self.errors.append(f"{what}: {traceback.format_exc()}")
        else:
            self.done.append({**what, **(result or {})})

    def write(self, path: Path) -> None:
        path.write_text(json.dumps({
            "done": self.done, "refused": self.refused, "errors": self.errors,
            "started": self.started, "ended": self.ended}, ensure_ascii=False), encoding="utf-8")


def typist(job: dict[str, Any], store: Any, seen: Outcomes) -> None:
    from datetime import datetime

    from reentry.domain.entry import RecordRow
    from reentry.entry import service

    now = datetime.fromisoformat(job["now"])
    user = service.sign_in(store, job["user"])
    for sheet in job["sheets"]:
        serial = sheet["serial"]
        seen.attempt({"action": "open", "serial": serial},
                     lambda code=sheet["code"]: _opened(service.open_sheet(store, code, user)))
        seen.attempt({"action": "confirm", "serial": serial},
                     lambda serial=serial: service.confirm_identity(store, user, serial))
        for row in sheet["rows"]:
            command = RecordRow(serial=serial, page=1, section_id=sheet["section"],
                                row_index=row["index"], values=row["values"],
                                sheet_values={"date": sheet["date"]}, user=user)
            seen.attempt({"action": "save", "serial": serial, "row": row["index"]},
                         lambda command=command: _saved(service.record_row(store, command,
                                                                           now=now)))
            time.sleep(job.get("pause", 0.0))
        if sheet.get("finish"):
            seen.attempt({"action": "finish", "serial": serial},
                         lambda serial=serial: service.mark_sheet_entered(store, user, serial))


def _opened(context: Any) -> dict[str, Any]:
    return {"ipp": context.patient.ipp if context.patient else None}


def _saved(entry: Any) -> dict[str, Any]:
    return {"entry_id": entry.id, "values": entry.values, "section": entry.section_id}


def reprint(job: dict[str, Any], store: Any, seen: Outcomes) -> None:
    from datetime import datetime

    from reentry.entry import service
    from reentry.printing.station import reprint_patient

    user = service.sign_in(store, job["operator"])
    start = datetime.fromisoformat(job["start"])
    for number, ipp in enumerate(job["ipps"]):
        folder = Path(job["out"]) / f"reprint-{number}"

        def once(ipp: str = ipp, folder: Path = folder) -> dict[str, Any]:
            outcome = reprint_patient(store, ipp, folder, user=user, start=start)
            return {"batch": outcome.batch_id, "pdf": str(outcome.pdf),
                    "serials": list(outcome.serials)}

        seen.attempt({"action": "reprint", "ipp": ipp}, once)


def declare(job: dict[str, Any], store: Any, seen: Outcomes) -> None:
    from reentry.entry import service
    from reentry.events.accounting import declare_sheets

    user = service.sign_in(store, job["user"])
    for declaration in job["declarations"]:
        seen.attempt({"action": "declare", **declaration},
                     lambda d=declaration: {"count": declare_sheets(
                         store, [d["serial"]], d["outcome"], d["reason"], user)})
        time.sleep(job.get("pause", 0.0))


ROLES = {"typist": typist, "reprint": reprint, "declare": declare}


def run_cli(job: dict[str, Any]) -> None:
    """``reentry`` with ``job["args"]``, as typed at a prompt (exit code and output as the
    command gives them; the test reads them from this process)."""
    from reentry.cli import main

    sys.argv = ["reentry", *job["args"]]
    Path(job["ready"]).touch()  # imported: ready to start at once
    wait_for(Path(job["go"]))
    main()


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if job["role"] == "cli":
        run_cli(job)
        return
    from reentry.store import open_store

    seen = Outcomes()
    store = open_store(os.environ["REENTRY_DB"])
    try:
        Path(job["ready"]).touch()  # connected: ready to start at once
        wait_for(Path(job["go"]))
        seen.started = time.time()
        ROLES[job["role"]](job, store, seen)
        seen.ended = time.time()
    finally:
        store.close()
        seen.write(Path(job["result"]))


if __name__ == "__main__":
    main()
