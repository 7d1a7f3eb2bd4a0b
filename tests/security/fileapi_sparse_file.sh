#!/usr/bin/env bash
# Placeholder probe for the file API (huge sparse files): sbx has no such feature yet, so there is nothing to
# attack; it skips (never passes) and names the missing feature until the probe is written.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=_lib.sh
source "$(dirname "$0")/_lib.sh"

skip_missing_feature "file API (huge sparse files)" cp
