#!/usr/bin/env bash
# Set up, build a demo hospital after an outage (sheets printed, part re-entered, an SIH export)
# in the embedded SQLite database and open the desktop app on it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
DB=${REENTRY_DEMO_DB:-$PWD/demo/reentry-demo.sqlite}
mkdir -p "$(dirname "$DB")"
.venv/bin/reentry --db "$DB" demo --patients "${REENTRY_DEMO_PATIENTS:-300}" --seed 1 --scenario outage
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "No display found: the app needs a desktop session (or set QT_QPA_PLATFORM=offscreen)." >&2
  echo "The demo database is ready: $DB" >&2
  exit 1
fi
exec .venv/bin/reentry-app --db "$DB"
