#!/usr/bin/env bash
# Install what the PostgreSQL tests need on Debian, when missing: the server binaries (initdb,
# postgres, pg_ctl: Debian's `postgresql` package) and an unprivileged `postgres` user, since
# PostgreSQL refuses to run as root and CI runs as root. The tests start their own throwaway
# cluster on 127.0.0.1 (tests/postgres_fixture.py); so that installing the package does not also
# create and start a system-wide cluster on port 5432, the package's "main" cluster is turned
# off before it is installed (a drop-in of postgresql-common, only when this script installs).
# Safe to run again: it installs only what is missing, never prompts, and reads no input.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

PACKAGES=(postgresql)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "postgres-setup: not a Debian system (no dpkg-query); install the PostgreSQL server by hand." >&2
  exit 0
fi

find_root
missing_packages "${PACKAGES[@]}"
# The package may be marked installed with its server binaries gone (a half-removed version).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || MISSING+=(postgresql)

if ((${#MISSING[@]})); then
  if [ "${AS_ROOT[0]:-}" != false ]; then
    "${AS_ROOT[@]}" mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false  # written by Reentry's scripts/postgres-setup.sh" |
      "${AS_ROOT[@]}" tee /etc/postgresql-common/createcluster.d/reentry-no-main-cluster.conf >/dev/null
  fi
  apt_install postgres-setup "${MISSING[@]}"
fi

# The package creates the `postgres` user; make one if it is gone: the tests' server runs as it
# when they run as root (as anyone else, it runs as that person).
if ! getent passwd postgres >/dev/null && [ "${AS_ROOT[0]:-}" != false ]; then
  echo "postgres-setup: creating the unprivileged user 'postgres'"
  "${AS_ROOT[@]}" useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
    --shell /usr/sbin/nologin postgres
fi
