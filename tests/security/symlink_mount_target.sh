#!/usr/bin/env bash
# Symlink races on mount targets: a --mount target reached through a symlink of the root
# (/bin -> usr/bin on merged-/usr hosts) or through ".." is resolved inside the sandbox root,
# never on the host: the host gains no file or directory, and /usr is unchanged.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

src=$(scratch_dir)
echo payload >"$src/payload"
escape=/srv/sbx-escape-$$-$RANDOM
before=$(ls -A /usr/bin | wc -l)
note "a target with .. components"
capture sbx run --mount "$src:/../../..$escape" -- sh -c "cat $escape/payload"
if ((LAST_RC == 0)); then
  assert_eq payload "$LAST_OUT" "the mount landed inside the sandbox at $escape"
else
  assert_sbx_error sbx run --mount "$src:/../../..$escape" -- true
fi
[[ ! -e "$escape" ]] || fail "$escape appeared on the host"
if [[ -L /bin ]]; then
  note "a target through the /bin symlink"
  capture sbx run --mount "$src:/bin/sbx-escape-$$" -- sh -c "cat /usr/bin/sbx-escape-$$/payload"
  if ((LAST_RC == 0)); then
    assert_eq payload "$LAST_OUT" "the mount landed inside the sandbox's /usr/bin"
  else
    assert_eq 125 "$LAST_RC" "a refused target is sbx's own error ($(show "$LAST_ERR"))"
  fi
  [[ ! -e "/usr/bin/sbx-escape-$$" ]] || fail "/usr/bin/sbx-escape-$$ appeared on the host"
fi
assert_eq "$before" "$(ls -A /usr/bin | wc -l)" "entries in the host's /usr/bin"
