#!/usr/bin/env bash
# Mounts (new API): fsopen, fspick, fsconfig and fsmount fail with EPERM under default and
# permissive.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in fsopen fspick fsconfig fsmount; do
  probe_exec "$SB" "$p"
  expect EPERM "$p"
done
probe_run --policy permissive -- fsopen
expect EPERM "fsopen under permissive"
