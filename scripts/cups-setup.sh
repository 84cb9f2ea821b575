#!/usr/bin/env bash
# Install what printing through CUPS needs on Debian, when missing: the CUPS spooler and its
# client tools (lp, lpstat, cancel, lpadmin), the cups-pdf virtual printer the tests print to,
# and poppler-utils (pdfinfo, pdftoppm) with which the tests read the printed PDF back.
# Safe to run again: it installs only what is missing, never prompts, and reads no input.
set -euo pipefail

PACKAGES=(cups cups-client cups-bsd printer-driver-cups-pdf poppler-utils)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "cups-setup: not a Debian system (no dpkg-query); install CUPS and cups-pdf by hand." >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
((${#missing[@]})) || exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "cups-setup: missing Debian packages (${missing[*]}) and no root or sudo: install them, then rerun." >&2
  exit 1
fi

echo "cups-setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq </dev/null
# The packages' scripts try to (re)start the system's CUPS; on a machine without an init system
# that fails harmlessly ("CUPS failed to reload"), which apt reports but does not treat as an error.
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}" </dev/null >/dev/null
