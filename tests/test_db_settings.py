"""The shared database named in the settings file, its password there or in ~/.pgpass, never
printed; a settings file that others can read is refused while it holds the password."""

from __future__ import annotations

import json
import os
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from reentry.cli import cli


def _without_password(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    assert parts.password
    return url.replace(f":{parts.password}@", "@", 1), unquote(parts.password)


@pytest.fixture
def settings_env(tmp_path, monkeypatch):
    for name in ("REENTRY_DB", "REENTRY_DATABASE", "REENTRY_DATABASE_PASSWORD", "PGPASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))  # libpq finds nothing there
    path = tmp_path / "settings.toml"
    monkeypatch.setenv("REENTRY_CONFIG", str(path))
    return path


def _census(*args: str):
    return CliRunner().invoke(cli, ["census", *args])


def test_the_settings_file_names_the_server_and_holds_its_password(postgres_url, settings_env):
    url, secret = _without_password(postgres_url)
    settings_env.write_text(f"database = {json.dumps(url)}\n"
                            f"database_password = {json.dumps(secret)}\n")
    os.chmod(settings_env, 0o600)
    result = _census()
    assert result.exit_code == 0, result.output
    assert secret not in result.output

    os.chmod(settings_env, 0o644)
    refused = _census()
    assert refused.exit_code != 0
    assert "chmod 600" in refused.output and "Traceback" not in refused.output
    assert secret not in refused.output
    assert len(refused.output.strip().splitlines()) == 1


def test_without_a_password_anywhere_the_server_refuses_in_one_line(postgres_url,
                                                                      settings_env):
    url, secret = _without_password(postgres_url)
    settings_env.write_text(f'database = "{url}"\n')
    result = _census()
    assert result.exit_code != 0
    assert "Traceback" not in result.output and secret not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_command_line_still_wins_over_the_settings_file(postgres_url, settings_env,
                                                            tmp_path):
    url, secret = _without_password(postgres_url)
    settings_env.write_text(f'database = "{url}"\n')
    local = tmp_path / "local.sqlite"
    created = CliRunner().invoke(cli, ["--db", str(local), "db", "init"])
    assert created.exit_code == 0, created.output
    assert _census("--db", str(local)).exit_code == 0
