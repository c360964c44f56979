#!/usr/bin/env bash
# Debian 12 packages `make conformance` and `make conformance-quick` need, beyond
# tools/install-deps.sh: CPython's test suite, stress-ng and a static busybox.
exec "$(dirname "$0")/apt-install.sh" python3 libpython3.11-testsuite stress-ng busybox-static
