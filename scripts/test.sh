#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run them (extra arguments go to pytest).
# Needs: python3 >= 3.11 with venv; root (or sudo-free apt) for Debian's chromium on first run.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Browser tests drive Debian's Chromium through Playwright (Playwright's own browser download is not used).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "chromium is missing: run 'sudo apt-get install chromium chromium-driver' (browser tests will fail)" >&2
    fi
fi

exec .venv/bin/python -m pytest "$@"
