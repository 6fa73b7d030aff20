#!/usr/bin/env bash
# Install what the app's browser test needs on a fresh Debian machine (run as root):
# Debian's Chromium at /usr/bin/chromium. The Python side (playwright) is a dev dependency in
# .venv already; never run `playwright install`, which downloads its own browser.
#   sudo bash scripts/install_browser.sh
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "install_browser: /usr/bin/chromium is present ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install_browser: run as root (sudo bash scripts/install_browser.sh)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_browser: apt-get not found; install Chromium at /usr/bin/chromium by hand" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y chromium
echo "install_browser: installed $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
