#!/usr/bin/env bash
# Mounts (new API): open_tree(OPEN_TREE_CLONE), move_mount and mount_setattr (which could
# clear MOUNT_ATTR_RDONLY of /usr) fail with EPERM; /usr stays read-only (EROFS).
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in open_tree move_mount mount_setattr; do
  probe_exec "$SB" "$p"
  expect EPERM "$p"
done
probe_exec "$SB" create /usr/sbx-probe
expect EROFS "creating a file in /usr afterwards"
