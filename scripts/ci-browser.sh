#!/usr/bin/env bash
# Installs what the Agents Playground browser test (test/browser/) needs when it is missing:
# Debian's chromium, unshare (util-linux) and ip (iproute2) for the loopback-only network
# namespace. Only Debian's packages are used, because no tool may download its own browser.
#
#   bash scripts/ci-browser.sh
#
# Needs root (or sudo) only when something is missing. Prints what it installed.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "ci-browser: chromium, unshare and ip are installed" >&2
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "ci-browser: missing ${missing[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  sudo_cmd=(sudo)
fi

echo "ci-browser: installing ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
