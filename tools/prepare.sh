#!/usr/bin/env bash
# What `make test` needs from the machine besides Python, checked first (a second at most):
# Debian's Chromium for the browser tests (Playwright's own browser download is not reachable)
# and binutils' strip, which the Lambda build uses for its package size budget.
# As root with apt-get it installs what is missing; otherwise it stops, naming the command.
set -euo pipefail

missing=()
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}  # where tests/e2e looks (a variable for testing this script)
[ -x "$CHROMIUM" ] || missing+=(chromium)
command -v strip >/dev/null 2>&1 || missing+=(binutils)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "tools/prepare.sh: installing ${missing[*]} with apt-get (about a minute)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi

echo "make test needs ${missing[*]} (the browser tests, the package build). Run:" >&2
echo "  sudo apt-get install -y chromium binutils" >&2
exit 1
