#!/usr/bin/env bash
# The view of /proc: kcore, kallsyms, keys, timer_list and sched_debug read as empty (masked),
# sysrq-trigger cannot be written (EROFS), and acpi/scsi are empty.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

build_probe
SB=$(sbx_create "${PROBE_MOUNT[@]}")
for f in kcore kallsyms keys timer_list sched_debug sysrq-trigger; do
  assert_exit 0 sbx exec "$SB" -- sh -c "[ -e /proc/$f ] && wc -c </proc/$f || echo absent"
  [[ "$LAST_OUT" == 0 || "$LAST_OUT" == absent ]] || fail "/proc/$f reads $LAST_OUT bytes"
done
if [[ -e /proc/sysrq-trigger ]]; then
  probe_exec "$SB" open_write /proc/sysrq-trigger
  expect EROFS "open /proc/sysrq-trigger for writing"
else
  note "this kernel has no /proc/sysrq-trigger (no CONFIG_MAGIC_SYSRQ)"
fi
assert_exit 0 sbx exec "$SB" -- sh -c 'ls -A /proc/acpi /proc/scsi 2>/dev/null | grep -v -e "^/" -e "^$" || true'
assert_eq "" "$LAST_OUT" "entries in /proc/acpi and /proc/scsi"
