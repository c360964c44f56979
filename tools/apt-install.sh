#!/usr/bin/env bash
# apt-install.sh PACKAGE...: installs Debian 12 packages quietly, as root or through sudo.
# The install-*.sh scripts name what each part of the project needs.
set -euo pipefail
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
