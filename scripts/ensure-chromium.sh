#!/usr/bin/env bash
# The app's browser tests drive Debian's Chromium (/usr/bin/chromium). Installs it when missing and running as root;
# otherwise says what to install and fails.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the app's browser tests (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "the app's browser tests need Chromium at /usr/bin/chromium: as root, run" >&2
echo "  apt-get update && apt-get install -y chromium" >&2
exit 1
