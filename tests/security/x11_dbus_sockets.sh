#!/usr/bin/env bash
# X11 and D-Bus: the display and session-bus sockets and their variables never reach a
# sandbox: /tmp/.X11-unix, /run/user, /run/dbus are absent or empty inside, and DISPLAY,
# WAYLAND_DISPLAY, DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR and SSH_AUTH_SOCK set by the caller
# are not in the environment.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

uid=$(id -u)
export DISPLAY=:0 WAYLAND_DISPLAY=wayland-0 XDG_RUNTIME_DIR=/run/user/$uid
export DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus SSH_AUTH_SOCK=/tmp/ssh-x/agent.1
assert_exit 0 sbx run -- sh -c 'env | cut -d= -f1 | grep -E "^(DISPLAY|WAYLAND_DISPLAY|DBUS_SESSION_BUS_ADDRESS|XDG_RUNTIME_DIR|SSH_AUTH_SOCK)$" || true'
assert_eq "" "$LAST_OUT" "display, bus and agent variables inside"
assert_exit 0 sbx run -- sh -c 'for d in /tmp/.X11-unix /tmp/.ICE-unix /run/user /run/dbus /var/run/dbus; do ls -A "$d" 2>/dev/null | sed "s|^|$d/|"; done; find / -xdev -type s 2>/dev/null | head -n 5'
assert_eq "" "$LAST_OUT" "sockets or socket directories visible inside"
