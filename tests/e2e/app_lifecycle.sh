#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119  # sandbox commands are single-quoted on purpose
# sbx app create|ls|rm: ids, duplicates, apps made implicitly by --app, the "default" app, and
# removal refused while the app has a running sandbox.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

note "app create prints one ap- id"
assert_exit 0 sbx app create my-app
assert_match "^ap-$ID_CHARS\$" "$LAST_OUT" "sbx app create my-app output"
app_id=$LAST_OUT

assert_exit 0 sbx app ls
assert_match "(^|[[:space:]])my-app([[:space:]]|$)" "$LAST_OUT" "app ls lists my-app"

note "a second app with the same name is refused and changes nothing"
before=$(sbx app ls)
assert_sbx_error sbx app create my-app
assert_contains "$LAST_ERR" "my-app" "the error names the app"
assert_eq "$before" "$(sbx app ls)" "app ls after a refused duplicate"

note "--app creates a missing app"
assert_not_contains "$(sbx app ls)" "auto-app" "app ls before create --app auto-app"
sb=$(sbx_create --app auto-app)
assert_match "(^|[[:space:]])auto-app([[:space:]]|$)" "$(sbx app ls)" "app ls after create --app"
assert_eq auto-app "$(field "$sb" .app)" "inspect .app"

note "without --app a sandbox belongs to the app named default"
sb_default=$(sbx_create)
assert_eq default "$(field "$sb_default" .app)" "inspect .app without --app"

note "app rm is refused while the app has a running sandbox"
before=$(sbx app ls)
assert_sbx_error sbx app rm auto-app
assert_eq "$before" "$(sbx app ls)" "app ls after a refused app rm"
assert_eq running "$(field "$sb" .state)" "the sandbox survives a refused app rm"

note "once its sandboxes ended, the app can be removed"
assert_exit 0 sbx terminate "$sb"
assert_exit 0 sbx app rm auto-app
assert_not_contains "$(sbx app ls)" "auto-app" "app ls after app rm auto-app"

note "app rm of an app without sandboxes"
assert_exit 0 sbx app rm my-app
listing=$(sbx app ls)
assert_not_contains "$listing" "my-app" "app ls after app rm my-app"
assert_not_contains "$listing" "$app_id" "app ls after app rm my-app (id)"

note "app rm of an unknown app fails"
assert_sbx_error sbx app rm no-such-app
assert_contains "$LAST_ERR" "no-such-app" "the error names the app"

note "an app name can be reused after rm; the new app has a new id"
assert_exit 0 sbx app create my-app
assert_match "^ap-$ID_CHARS\$" "$LAST_OUT" "re-created app id"
assert_ne "$app_id" "$LAST_OUT" "the re-created app's id"

sbx terminate "$sb_default" >/dev/null
