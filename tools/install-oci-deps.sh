#!/usr/bin/env bash
# Debian 12 packages the OCI runtime's integration test (tests/integration/oci.sh) needs,
# beyond tools/install-deps.sh: runc as the lower runtime, jq, a static busybox for the rootfs.
exec "$(dirname "$0")/apt-install.sh" runc jq busybox-static
