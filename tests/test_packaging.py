"""A plain ``pip install .`` (not only an editable install) carries the data files."""

import subprocess
import sys
import zipfile

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(REPO)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("reentry-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_ships_forms_catalogs_and_both_entry_points(wheel):
    names = set(wheel.namelist())
    forms = [n for n in names if n.startswith("forms/") and n.endswith(".json")]
    assert "forms/schema.json" in names and len(forms) >= 6
    for language in ("fr", "en"):
        assert f"reentry/locales/{language}/core.toml" in names
    assert "ui/app.py" in names
    assert "reentry/reading/digits_weights.npz" in names  # the digit reader's weights
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = wheel.read(entry_points).decode()
    assert "reentry = reentry.cli:main" in text and "reentry-app = ui.app:main" in text
    assert not any(n.startswith("tests/") for n in names)
