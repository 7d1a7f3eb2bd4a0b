#!/usr/bin/env bash
# exec --timeout kills stopped processes: a child stopped with SIGSTOP, and the exec's own shell
# which stops itself after starting it.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/_timeout_lib.sh"
timeout_probe 'sleep 1000 & echo $! > /tmp/pid; kill -STOP $!; kill -STOP $$; '
