#!/usr/bin/env bash
# exec --timeout kills a process the exec started in a new session (setsid): out of the exec's
# process group and session, it must still die.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/_timeout_lib.sh"
timeout_probe 'setsid sh -c "echo \$\$ > /tmp/pid; exec sleep 1000" & '
