#!/usr/bin/env bash
# Run a command with headless Chromium available for the report's browser test:
#   scripts/with-chromium.sh cargo test -p edupulse-report
# Installs Chromium from Debian's packages (`chromium`) if no Chromium or Chrome binary is found
# (as root, with apt), then exports EDUPULSE_CHROMIUM=<path of the binary> for the command.
# If Chromium cannot be installed, the command still runs without EDUPULSE_CHROMIUM: the browser
# test then fails with a named error when CI=true and is skipped (with the reason printed)
# otherwise. Nothing is started here: the test launches one headless process per page it loads.
set -euo pipefail

find_chromium() {
  local c
  if [[ -n "${EDUPULSE_CHROMIUM:-}" && -x "${EDUPULSE_CHROMIUM}" ]]; then echo "$EDUPULSE_CHROMIUM"; return 0; fi
  for c in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
  done
  return 1
}

if ! BIN="$(find_chromium)"; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "with-chromium: installing Chromium (apt-get install chromium)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || true
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null || true
  fi
  BIN="$(find_chromium)" || BIN=""
fi

if [[ -n "$BIN" ]]; then
  export EDUPULSE_CHROMIUM="$BIN"
  echo "with-chromium: $BIN" >&2
else
  echo "with-chromium: Chromium not found and could not be installed (package chromium); the browser test will fail under CI=true, skip otherwise" >&2
fi
exec "$@"
