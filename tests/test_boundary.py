"""The core runs without Qt: every module of ``reentry`` imports with PySide6 made unimportable."""

import subprocess
import sys
import textwrap

from conftest import REPO


def test_core_imports_every_module_with_qt_blocked():
    script = textwrap.dedent("""
        import importlib, pkgutil, sys

        class BlockQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"PySide6", "shiboken6", "PyQt5", "PyQt6", "ui"}:
                    raise ImportError(f"the core must not import {name}")
                return None

        sys.meta_path.insert(0, BlockQt())
        import reentry
        names = [m.name for m in pkgutil.walk_packages(reentry.__path__, "reentry.")]
        for name in names:
            importlib.import_module(name)
        assert not any(n.startswith("PySide6") for n in sys.modules)
        print(len(names))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 10
