#!/usr/bin/env bash
# Debian 12 packages kdune needs to build, test and benchmark.
exec "$(dirname "$0")/apt-install.sh" \
	build-essential make pkg-config clang libclang-rt-14-dev libseccomp-dev libcapstone-dev libcmocka-dev libjson-c-dev \
	python3 perl gawk gzip coreutils util-linux hyperfine jq time busybox-static gdb man-db \
	golang-github-containers-common
