#!/usr/bin/env bash
# Debian 12 packages kdune needs to build, test and benchmark.
set -euo pipefail
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
	build-essential make pkg-config clang libclang-rt-14-dev libseccomp-dev libcapstone-dev libcmocka-dev \
	python3 perl gawk gzip coreutils util-linux hyperfine jq time busybox-static >/dev/null
