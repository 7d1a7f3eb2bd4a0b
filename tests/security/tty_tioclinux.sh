#!/usr/bin/env bash
# The terminal: TIOCLINUX (console copy and paste) and TIOCSETD (line disciplines, a classic
# kernel attack surface) fail with EPERM, with or without high bits in the request.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in tioclinux tioclinux_high tiocsetd; do
  probe_exec "$SB" "$p"
  expect EPERM "$p"
done
probe_run --policy permissive -- tiocsetd
expect EPERM "TIOCSETD under permissive"
