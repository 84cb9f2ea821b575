#!/usr/bin/env bash
# Screenshots of every main screen at 1,366 x 768, the ward PC's screen, under a real X server
# (Xvfb) and window manager (openbox), on the outage demo: PNG files in the folder given
# (default: ./screenshots). Installs what it needs when missing (xvfb, openbox, imagemagick),
# with apt-get when running as root or through sudo, as scripts/setup.sh does.
#
#   scripts/screenshots.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/apt-install.sh
OUT=$(realpath -m "${1:-screenshots}")
SIZE=${SCREEN_SIZE:-1366x768}

DEBIAN_PACKAGES=(xvfb openbox imagemagick x11-utils)
missing_packages "${DEBIAN_PACKAGES[@]}"
if ((${#MISSING[@]})); then
  apt_install screenshots "${MISSING[@]}"
fi
[ -x .venv/bin/python ] || ./scripts/setup.sh

WORK=$(mktemp -d)
XVFB_PID=""
WM_PID=""
cleanup() {
  [ -n "$WM_PID" ] && kill "$WM_PID" 2>/dev/null || true
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "Building the outage demo in $WORK"
REPO=$(pwd)
(cd "$WORK" && "$REPO/.venv/bin/reentry" --db demo.sqlite demo --scenario outage >"$WORK/demo.txt")
# The demo's own reconciliation runs give the review its flags and its provisional identity;
# its output (demo.txt) holds each account's password, printed once, for the screens' sign-ins.

# A free display number, then the X server at the ward PC's size and the window manager.
DISPLAY_NUMBER=99
while [ -e "/tmp/.X11-unix/X$DISPLAY_NUMBER" ] || [ -e "/tmp/.X$DISPLAY_NUMBER-lock" ]; do
  DISPLAY_NUMBER=$((DISPLAY_NUMBER + 1))
done
export DISPLAY=":$DISPLAY_NUMBER"
Xvfb "$DISPLAY" -screen 0 "${SIZE}x24" -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
openbox >"$WORK/openbox.log" 2>&1 &
WM_PID=$!
sleep 1

mkdir -p "$OUT"
# The desktop's own language as on the ward PC's French Windows (Qt's file chooser writes its
# dates and sizes in it).
LANG=fr_FR.UTF-8 QT_QPA_PLATFORM=xcb .venv/bin/python bench/screenshots.py --db "$WORK/demo.sqlite" --out "$OUT" \
  --accounts "$WORK/demo.txt"
