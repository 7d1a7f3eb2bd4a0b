#!/usr/bin/env bash
# Syscalls that widen the kernel surface: the kernel keyrings are not namespaced, so keyctl,
# add_key and request_key fail with EPERM (default, permissive) and kill under strict.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for p in keyctl add_key request_key; do
  probe_exec "$SB" "$p"
  expect EPERM "$p under the default profile"
done
probe_run --policy permissive -- keyctl
expect EPERM "keyctl under permissive"
probe_run --policy strict -- keyctl
expect_killed_sigsys "keyctl under strict"
