#!/usr/bin/env bash
# Install what the PostgreSQL tests need on Debian, when missing: the server binaries (initdb,
# postgres, pg_ctl: Debian's `postgresql` package) and an unprivileged `postgres` user, since
# PostgreSQL refuses to run as root and CI runs as root. The tests start their own throwaway
# cluster on 127.0.0.1 (tests/postgres_fixture.py); so that installing the package does not also
# create and start a system-wide cluster on port 5432, the package's "main" cluster is turned
# off before it is installed (a drop-in of postgresql-common, only when this script installs).
# Safe to run again: it installs only what is missing, never prompts, and reads no input.
set -euo pipefail

PACKAGES=(postgresql)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "postgres-setup: not a Debian system (no dpkg-query); install the PostgreSQL server by hand." >&2
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
# The package may be marked installed with its server binaries gone (a half-removed version).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)

if ((${#missing[@]})); then
  if [ "${SUDO[0]:-}" = false ]; then
    echo "postgres-setup: missing Debian packages (${missing[*]}) and no root or sudo: install them, then rerun." >&2
    exit 1
  fi
  echo "postgres-setup: installing ${missing[*]}"
  "${SUDO[@]}" mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false  # written by Reentry's scripts/postgres-setup.sh" |
    "${SUDO[@]}" tee /etc/postgresql-common/createcluster.d/reentry-no-main-cluster.conf >/dev/null
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" </dev/null >/dev/null
fi

# The package creates the `postgres` user; make one if it is gone: the tests' server runs as it
# when they run as root (as anyone else, it runs as that person).
if ! getent passwd postgres >/dev/null && [ "${SUDO[0]:-}" != false ]; then
  echo "postgres-setup: creating the unprivileged user 'postgres'"
  "${SUDO[@]}" useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
    --shell /usr/sbin/nologin postgres
fi
