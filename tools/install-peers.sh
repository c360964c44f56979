#!/usr/bin/env bash
# Debian 12 packages `make bench-peers` needs: the tools kdune is compared with (strace,
# proot, qemu-user, gVisor's runsc), hyperfine and jq to time and read, gnuplot to draw.
exec "$(dirname "$0")/apt-install.sh" strace proot qemu-user runsc hyperfine jq gnuplot-nox python3
