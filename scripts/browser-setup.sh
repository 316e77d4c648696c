#!/usr/bin/env bash
# Install Debian's Chromium and ChromeDriver for the browser tests (tests/web/), once.
# Idempotent and quiet: does nothing when /usr/bin/chromium and /usr/bin/chromedriver exist.
# Needs root (or sudo) for apt-get; the tests fail with a message naming this script otherwise.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
/usr/bin/chromium --version
/usr/bin/chromedriver --version
