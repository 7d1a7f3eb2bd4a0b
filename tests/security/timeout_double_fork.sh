#!/usr/bin/env bash
# exec --timeout kills a double-forked daemon the exec started (its parent exited at once, so
# it was reparented away from the exec's process).
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/_timeout_lib.sh"
timeout_probe '(sh -c "sleep 1000 & echo \$! > /tmp/pid" &) ; '
