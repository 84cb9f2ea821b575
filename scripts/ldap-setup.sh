#!/usr/bin/env bash
# Install what the directory sign-in tests need on Debian, when missing: OpenLDAP's server
# (slapd, with its schema files and the back_mdb module), its command-line tools (ldap-utils:
# slapadd) and openssl (the tests' throwaway certificate). The tests start their own slapd on
# 127.0.0.1 with a configuration in a temporary folder, as the unprivileged `openldap` user the
# package creates (tests/ldap_fixture.py); the package's own server is not started (no init
# system here) and its debconf questions get their defaults.
# Safe to run again: it installs only what is missing, never prompts, and reads no input.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

PACKAGES=(slapd ldap-utils openssl)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ldap-setup: not a Debian system (no dpkg-query); install OpenLDAP's slapd by hand." >&2
  exit 0
fi

missing_packages "${PACKAGES[@]}"
[ -x /usr/sbin/slapd ] || MISSING+=(slapd)  # marked installed with its server gone
((${#MISSING[@]})) || exit 0
apt_install ldap-setup "${MISSING[@]}"
