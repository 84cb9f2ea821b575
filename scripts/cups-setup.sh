#!/usr/bin/env bash
# Install what printing through CUPS needs on Debian, when missing: the CUPS spooler and its
# client tools (lp, lpstat, cancel, lpadmin), the cups-pdf virtual printer the tests print to,
# and poppler-utils (pdfinfo, pdftoppm) with which the tests read the printed PDF back.
# Safe to run again: it installs only what is missing, never prompts, and reads no input.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

PACKAGES=(cups cups-client cups-bsd printer-driver-cups-pdf poppler-utils)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "cups-setup: not a Debian system (no dpkg-query); install CUPS and cups-pdf by hand." >&2
  exit 0
fi

missing_packages "${PACKAGES[@]}"
((${#MISSING[@]})) || exit 0
# The packages' scripts try to (re)start the system's CUPS; on a machine without an init system
# that fails harmlessly ("CUPS failed to reload"), which apt reports but does not treat as an error.
apt_install cups-setup "${MISSING[@]}"
