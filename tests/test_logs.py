"""Where the log goes (reentry/logs.py): a private file in the user's data folder, never the
terminal, so that a command's refusal stays one line in the user's language while IT finds the
technical reason in the log."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys

import pytest

from reentry.logs import LOG_NAME, LOGGERS, configure_logging


@pytest.fixture
def restore_loggers():
    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).level,
                    logging.getLogger(name).propagate) for name in LOGGERS}
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        for handler in logger.handlers[:]:
            if handler not in handlers:
                logger.removeHandler(handler)
                handler.close()
        logger.setLevel(level)
        logger.propagate = propagate


def test_warnings_go_to_a_private_file_and_not_the_terminal(tmp_path, capfd, restore_loggers):
    written = configure_logging(tmp_path / "logs")
    assert written == tmp_path / "logs" / LOG_NAME
    logging.getLogger("reentry.auth.directory").warning("annuaire injoignable (test)")
    logging.getLogger("ui.scan_queue").warning("page illisible (test)")
    configure_logging(tmp_path / "logs")  # once more: one handler, not two
    logging.getLogger("reentry.reading").warning("encore (test)")
    text = written.read_text(encoding="utf-8")
    assert "annuaire injoignable (test)" in text and "page illisible (test)" in text
    assert text.count("encore (test)") == 1
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700
    out, err = capfd.readouterr()
    assert "(test)" not in out + err


def test_a_folder_that_cannot_be_written_drops_the_log_silently(tmp_path, capfd,
                                                                 restore_loggers):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert configure_logging(blocked / "logs") is None
    logging.getLogger("reentry").warning("nowhere (test)")
    out, err = capfd.readouterr()
    assert "nowhere (test)" not in out + err


def test_a_refused_command_says_one_line_and_logs_why(tmp_path):
    """The real ``reentry`` command, its hospital directory unreachable: one French line on
    the terminal, the technical reason (ldap3's own words) in the log file."""
    home = tmp_path / "home"
    settings = tmp_path / "settings.toml"
    settings.write_text('ldap_url = "ldaps://127.0.0.1:1"\n'
                        'ldap_user_dn = "uid={username},ou=people,dc=example,dc=org"\n')
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "REENTRY_CONFIG": str(settings), "REENTRY_PASSWORD": "secret-de-claire"}
    env.pop("REENTRY_DB", None)
    db = tmp_path / "reentry.sqlite"
    command = [sys.executable, "-c", "from reentry.cli import main; main()"]
    subprocess.run([*command, "db", "init", str(db)], env=env, check=True,
                   capture_output=True)
    refused = subprocess.run([*command, "--db", str(db), "event", "declare", "--title",
                              "Coupure", "--user", "croux"], env=env, capture_output=True,
                             text=True, stdin=subprocess.DEVNULL)
    assert refused.returncode == 1
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "ne répond pas" in refused.stderr and "Errno" not in refused.stderr
    log = home / "data" / "reentry" / "logs" / LOG_NAME
    text = log.read_text(encoding="utf-8")
    assert "127.0.0.1:1" in text and "croux" not in text and "secret" not in text
