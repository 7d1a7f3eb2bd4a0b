#!/usr/bin/env bash
# Nested user namespaces: unshare(CLONE_NEWUSER) and clone(CLONE_NEWUSER) fail with EPERM
# under every shipped profile (default, strict kills, permissive), and so do new mount and
# cgroup namespaces; plain fork still works.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in unshare_user clone_newuser unshare_mnt unshare_cgroup; do
  probe_exec "$SB" "$p"
  expect EPERM "$p under the default profile"
done
probe_exec "$SB" fork
expect ok "fork"
probe_run --policy permissive -- unshare_user
expect EPERM "unshare(CLONE_NEWUSER) under permissive"
probe_run --policy permissive -- clone_newuser
expect EPERM "clone(CLONE_NEWUSER) under permissive"
probe_run --policy strict -- unshare_user
expect_killed_sigsys "unshare(CLONE_NEWUSER) under strict"
