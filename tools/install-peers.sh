#!/usr/bin/env bash
# Debian 12 packages `make bench-peers` needs: the tools kdune is compared with (strace,
# proot, qemu-user, gVisor's runsc), hyperfine and jq to time and read, gnuplot to draw.
set -euo pipefail
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
	strace proot qemu-user runsc hyperfine jq gnuplot-nox python3 >/dev/null
