#!/usr/bin/env bash
# Identity and capabilities: a dropped capability cannot come back: capset() adding
# CAP_SYS_ADMIN fails with EPERM, raising it into the ambient set fails with EPERM, and
# no_new_privs cannot be cleared (EINVAL).
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
probe_exec "$SB" capset_add
expect EPERM "capset adding CAP_SYS_ADMIN"
probe_exec "$SB" ambient_raise
expect EPERM "PR_CAP_AMBIENT_RAISE of CAP_SYS_ADMIN"
probe_exec "$SB" clear_nnp
expect EINVAL "clearing no_new_privs"
probe_exec "$SB" get_nnp
expect 1 "no_new_privs of an exec"
