# Installing Debian packages when missing, for the setup scripts, which source this file:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
#   missing_packages PKG...   # MISSING: those of PKG that dpkg does not list as installed
#   find_root                 # AS_ROOT: () as root, (sudo -n) when sudo needs no password,
#                             # else (false)
#   apt_install WHO PKG...    # apt-get installs PKG; without root or sudo, says so and exits 1
#
# Nothing here prompts or reads input.

missing_packages() {
  MISSING=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || MISSING+=("$pkg")
  done
}

find_root() {
  if [ "$(id -u)" -eq 0 ]; then
    AS_ROOT=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    AS_ROOT=(sudo -n)
  else
    AS_ROOT=(false)
  fi
}

apt_install() {
  local who=$1
  shift
  find_root
  if [ "${AS_ROOT[0]:-}" = false ]; then
    echo "$who: missing Debian packages ($*) and no root or sudo: install them, then rerun." >&2
    exit 1
  fi
  echo "$who: installing $*"
  "${AS_ROOT[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  # -o ...confold: a package's configuration file already changed here is kept, without asking.
  "${AS_ROOT[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold "$@" </dev/null >/dev/null
}
