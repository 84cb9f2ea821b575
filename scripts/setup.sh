#!/usr/bin/env bash
# Set up everything Reentry needs on a fresh Debian machine with Python 3.11:
# the Debian libraries Qt and the tests need (installed with apt-get when missing),
# a virtual environment in .venv, and the project with its app and test extras.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/apt-install.sh

# CUPS, the cups-pdf virtual printer and poppler: printing, and the test that prints through a
# real queue.
./scripts/cups-setup.sh

# The PostgreSQL server binaries (initdb, postgres) and an unprivileged `postgres` user: the tests
# start a throwaway cluster of their own on 127.0.0.1 (tests/postgres_fixture.py).
./scripts/postgres-setup.sh

# OpenLDAP's slapd and ldap-utils: the directory sign-in tests start a throwaway slapd of their
# own on 127.0.0.1 (tests/ldap_fixture.py).
./scripts/ldap-setup.sh

# Qt's runtime libraries; DejaVu fonts (every French accent on printed pages); poppler-utils
# (pdftoppm, pdftotext, pdfinfo) with which the tests read printed pages back; Humor Sans, the
# handwriting font the digit reader never saw in training, written into the reading tests' boxes.
DEBIAN_PACKAGES=(libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0
                 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
                 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0
                 fonts-dejavu-core poppler-utils fonts-humor-sans)

MISSING=()
if command -v dpkg-query >/dev/null 2>&1; then
  missing_packages "${DEBIAN_PACKAGES[@]}"
fi
if ((${#MISSING[@]})); then
  apt_install setup "${MISSING[@]}"
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'

if [ ! -x .venv/bin/python ]; then
  # Debian's own Python makes virtual environments only with its python3-venv package
  if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt_install setup python3-venv
  fi
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.reentry-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  echo "$want" > "$stamp"
fi
