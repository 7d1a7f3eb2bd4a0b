#!/usr/bin/env bash
# Nested user namespaces: setns() into a namespace (even the sandbox's own) fails with EPERM,
# and pid 1's namespace files cannot be opened (EACCES): nothing joins another namespace.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
probe_exec "$SB" setns
expect EPERM "setns to the own network namespace"
for ns in user mnt net pid; do
  probe_exec "$SB" open_read "/proc/1/ns/$ns"
  expect EACCES "open /proc/1/ns/$ns"
done
probe_run --policy permissive -- setns
expect EPERM "setns under permissive"
