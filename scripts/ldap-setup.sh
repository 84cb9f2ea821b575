#!/usr/bin/env bash
# Install what the directory sign-in tests need on Debian, when missing: OpenLDAP's server
# (slapd, with its schema files and the back_mdb module), its command-line tools (ldap-utils:
# slapadd) and openssl (the tests' throwaway certificate). The tests start their own slapd on
# 127.0.0.1 with a configuration in a temporary folder, as the unprivileged `openldap` user the
# package creates (tests/ldap_fixture.py); the package's own server is not started (no init
# system here) and its debconf questions get their defaults.
# Safe to run again: it installs only what is missing, never prompts, and reads no input.
set -euo pipefail

PACKAGES=(slapd ldap-utils openssl)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ldap-setup: not a Debian system (no dpkg-query); install OpenLDAP's slapd by hand." >&2
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  SUDO=(false)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ -x /usr/sbin/slapd ] || missing+=(slapd)

if ((${#missing[@]})); then
  if [ "${SUDO[0]:-}" = false ]; then
    echo "ldap-setup: missing Debian packages (${missing[*]}) and no root or sudo: install them, then rerun." >&2
    exit 1
  fi
  echo "ldap-setup: installing ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" </dev/null >/dev/null
fi
