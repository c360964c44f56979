#!/usr/bin/env bash
# make fuzz-syscalls: random syscalls aimed at kdune's own memory, run under kdune.
#
#   tests/integration/fuzz_syscalls.sh BUILD_DIR [CALLS] [SEED]
#
# Passes when the program ends with "done CALLS" and status 0: kdune neither crashed, hung
# nor lost the program's exit. Without a usable KVM device it prints SKIP with the reason and
# exits 0 (as the integration suite does). Prints the seed, so a failure can be repeated.
set -u
B=${1:?usage: $0 BUILD_DIR [CALLS] [SEED]}
CALLS=${2:-100000}
SEED=${3:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
TIMEOUT=${KD_TIMEOUT:-600}

if ! why=$("$B/progs/kvmcheck" 2>&1); then
	echo "SKIP fuzz_syscalls: KVM not usable: $why"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kdune-fuzz.XXXXXX") || exit 2
trap 'rm -rf -- "$work"' EXIT
# In a scratch directory: names the program makes from its buffer ("kkkk...") land there.
out=$(cd "$work" && timeout "$TIMEOUT" "$B/kdune" run -- "$B/progs/fuzz_syscalls" "$CALLS" "$SEED" 2>&1)
status=$?
if [ $status -eq 0 ] && printf '%s\n' "$out" | grep -q "^done $CALLS "; then
	echo "PASS fuzz_syscalls: $CALLS calls, seed $SEED"
	exit 0
fi
echo "FAIL fuzz_syscalls: status $status, seed $SEED (repeat: $0 $B $CALLS $SEED)"
printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'
exit 1
