#!/usr/bin/env bash
# Debian 12 packages `make conformance` and `make conformance-quick` need, beyond
# tools/install-deps.sh: CPython's test suite, stress-ng and a static busybox.
set -euo pipefail
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
	python3 libpython3.11-testsuite stress-ng busybox-static >/dev/null
