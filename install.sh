#!/usr/bin/env bash
# Sets up sbx on Debian or Ubuntu: installs the packages needed to build, run and test it (with
# sudo when not root; apt-get update only when a package cannot be found otherwise), builds it
# with make and installs it with `make install` (PREFIX, default /usr/local; DESTDIR honoured).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: ./install.sh [--deps-only] [--help]

Installs the Debian/Ubuntu packages sbx needs, then builds it (make) and installs it
(make install) under $PREFIX (default /usr/local).

  --deps-only   only install the packages; do not build or install sbx
  --help        show this help

Environment: PREFIX (default /usr/local), DESTDIR (staging root for make install).
EOF
}

# Build: compiler, make, and the libraries of the Makefile's LDLIBS and the headers sbx uses.
BUILD_PACKAGES=(
  g++ make pkg-config
  libseccomp-dev liburing-dev libsqlite3-dev libsimdjson-dev
  libcli11-dev libcpp-httplib-dev catch2
)
# Run and test: python3 (JSON checks on the host, and the interpreter the examples run inside
# sandboxes), util-linux (setpriv/runuser, unshare, mount tools), procps (ps, pgrep), iproute2
# (ip, for network checks), bubblewrap (a reference sandbox for comparison tests), and
# man-db/groff-base so that `man sbx` works once installed; passt (pasta, for `--network nat`);
# python3-pip so that images on the host base can pip install (sbx image build --pip);
# mmdebstrap (with fakechroot, fakeroot and uidmap for rootless builds) makes the debian-slim base.
RUNTIME_PACKAGES=(
  python3 python3-pip util-linux procps iproute2 bubblewrap groff-base man-db passt
  mmdebstrap fakechroot fakeroot uidmap
)

DEPS_ONLY=0
while (($#)); do
  case "$1" in
    --deps-only) DEPS_ONLY=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
cd "$(dirname "${BASH_SOURCE[0]}")"

say() {
  echo "install.sh: $*"
}

die() {
  echo "install.sh: error: $*" >&2
  exit 1
}

SUDO=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  fi
fi

# as_root CMD…: CMD as root (directly, or through sudo).
as_root() {
  if ((EUID != 0)) && ((${#SUDO[@]} == 0)); then
    die "'$*' needs root: run as root or install sudo"
  fi
  "${SUDO[@]}" "$@"
}

check_platform() {
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    die "apt-get not found: install.sh supports Debian and Ubuntu; elsewhere install the \
equivalents of: ${BUILD_PACKAGES[*]} ${RUNTIME_PACKAGES[*]}"
  fi
  if [[ -r /etc/os-release ]]; then
    # shellcheck disable=SC1091  # the host's file
    . /etc/os-release
    case " ${ID:-} ${ID_LIKE:-} " in
      *" debian "* | *" ubuntu "*) ;;
      *) say "warning: ${PRETTY_NAME:-this system} is not Debian or Ubuntu; trying apt-get anyway" ;;
    esac
  fi
}

# missing_packages: the wanted packages that are not installed, one a line.
missing_packages() {
  local p
  for p in "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
      echo "$p"
    fi
  done
}

# lists_need_update PKG…: true when apt has no package lists, or one of PKG has no candidate.
lists_need_update() {
  local p
  compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null || return 0
  for p in "$@"; do
    if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]'; then
      return 0
    fi
  done
  return 1
}

apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

install_packages() {
  local missing updated=0
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    say "all packages already installed"
    return
  fi
  say "installing: ${missing[*]}"
  if lists_need_update "${missing[@]}"; then
    say "apt-get update (package lists are missing or stale)"
    as_root apt-get update -q
    updated=1
  fi
  if ! apt_install "${missing[@]}"; then
    ((updated == 0)) || die "apt-get install failed"
    say "apt-get install failed; retrying after apt-get update"
    as_root apt-get update -q
    apt_install "${missing[@]}" || die "apt-get install failed"
  fi
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) || die "still missing after apt-get install: ${missing[*]}"
}

# needs_root_to_write DIR: the nearest existing ancestor of DIR is not writable by us.
needs_root_to_write() {
  local d=$1
  while [[ ! -e "$d" ]]; do
    d=$(dirname "$d")
  done
  [[ ! -w "$d" ]]
}

build_and_install() {
  local jobs
  jobs=$(nproc 2>/dev/null || echo 2)
  say "building (make -j$jobs)"
  make -j"$jobs"
  local target=$DESTDIR$PREFIX
  say "installing into $target (make install)"
  if ((EUID != 0)) && needs_root_to_write "$target"; then
    as_root make install PREFIX="$PREFIX" DESTDIR="$DESTDIR"
  else
    make install PREFIX="$PREFIX" DESTDIR="$DESTDIR"
  fi
  say "installed $target/bin/sbx"
}

check_platform
install_packages
if ((DEPS_ONLY)); then
  say "done (--deps-only: not building)"
  exit 0
fi
build_and_install
say "done: try  sbx run -- python3 -c 'print(1)'"
