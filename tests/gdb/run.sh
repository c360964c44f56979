#!/usr/bin/env bash
# GDB's own client against kdune's GDB stub (src/engine/gdb_rsp.c) serving a made-up target
# (tests/gdb/fake_target.c): no KVM needed. Each case runs gdb in batch mode and checks its
# output line by line.
#
#   tests/gdb/run.sh BUILD_DIR
#
# Prints PASS/FAIL/SKIP per case and "N passed, N failed, N skipped"; exits 1 on a failure.
set -u
BUILD_DIR=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd) || exit 2
FAKE=$BUILD_DIR/tests/gdb_fake_target
GDB=${GDB:-gdb}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kdune-gdb.XXXXXX") || exit 2
trap 'rm -rf -- "$WORK"' EXIT
NPASS=0 NFAIL=0 NSKIP=0

if ! command -v "$GDB" >/dev/null; then
	echo "SKIP gdb: $GDB is not installed"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! [ -x "$FAKE" ]; then
	echo "FAIL gdb: $FAKE is not built"
	exit 1
fi

# session NAME WHERE [ENV...] -- GDB-COMMANDS...: starts the fake target listening on WHERE
# ("tcp" or "unix:PATH"), runs gdb against it, leaves its output in $WORK/NAME.out.
session() {
	local name=$1 where=$2 addr
	shift 2
	local -a envs=()
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	local -a ex=()
	local c
	for c in "$@"; do
		ex+=(-ex "$c")
	done
	env "${envs[@]}" "$FAKE" "$where" >"$WORK/$name.addr" 2>"$WORK/$name.fake.err" &
	local pid=$!
	for _ in $(seq 50); do
		[ -s "$WORK/$name.addr" ] && break
		sleep 0.1
	done
	addr=$(head -n 1 "$WORK/$name.addr")
	[ "$where" = tcp ] && addr=127.0.0.1:$addr
	timeout 60 "$GDB" -nx -batch -ex 'set architecture i386:x86-64' -ex "target remote $addr" \
		"${ex[@]}" >"$WORK/$name.out" 2>&1
	timeout 10 tail --pid="$pid" -f /dev/null
	wait "$pid"
	FAKE_STATUS=$?
}

# expect NAME LINE...: each LINE (a fixed string) must be a line of NAME's gdb output, in order.
expect() {
	local name=$1 line rest
	shift
	rest=$(cat "$WORK/$name.out")
	for line in "$@"; do
		if ! grep -qxF -- "$line" <<<"$rest"; then
			echo "FAIL $name: no line '$line' (in order)"
			sed 's/^/    /' "$WORK/$name.out" | head -n 40
			NFAIL=$((NFAIL + 1))
			return
		fi
		rest=$(sed -n "/^$(sed 's/[][\.*^$/]/\\&/g' <<<"$line")\$/,\$p" <<<"$rest" | tail -n +2)
	done
	if [ "$FAKE_STATUS" != 0 ]; then
		echo "FAIL $name: the stub exited with status $FAKE_STATUS"
		sed 's/^/    /' "$WORK/$name.fake.err" | head -n 10
		NFAIL=$((NFAIL + 1))
		return
	fi
	echo "PASS $name"
	NPASS=$((NPASS + 1))
}

# Registers (with fs_base), memory, a breakpoint, a step, threads, register and memory
# writes, and the exit code, over TCP.
session registers_memory_breakpoint_exit tcp -- \
	'info registers rip rdi' 'p/x $fs_base' 'x/s 0x400100' 'break *0x401010' 'continue' \
	'info registers rip' 'stepi' 'info threads' 'thread 2' 'info registers rip' 'thread 1' \
	'set var $rax = 0x1234' 'p/x $rax' 'set {int}0x400200 = 0x11223344' 'x/xw 0x400200' \
	'x/2i 0x401000' 'continue'
expect registers_memory_breakpoint_exit \
	'rip            0x401000            0x401000' \
	'rdi            0x2a                42' \
	'$1 = 0x7f0000001000' \
	'0x400100:	"kdune fake target"' \
	'Breakpoint 1 at 0x401010' \
	'Thread 1 hit Breakpoint 1, 0x0000000000401010 in ?? ()' \
	'rip            0x401010            0x401010' \
	'0x0000000000401014 in ?? ()' \
	'* 1    Thread 1          0x0000000000401014 in ?? ()' \
	'  2    Thread 2          0x0000000000401100 in ?? ()' \
	'rip            0x401100            0x401100' \
	'$2 = 0x1234' \
	'0x400200:	0x11223344' \
	'   0x401000:	nop' \
	'[Inferior 1 (Remote target) exited with code 07]'

# A fault is reported with its signal; passing it on kills the target (X stop reply).
session segv_reported_then_fatal "unix:$WORK/stub.sock" FAKE_SEGV=1 -- \
	'continue' 'info registers rip' 'continue'
expect segv_reported_then_fatal \
	'Thread 1 received signal SIGSEGV, Segmentation fault.' \
	'rip            0x401018            0x401018' \
	'Program terminated with signal SIGSEGV, Segmentation fault.'

# The target description is the stub's (gdb prints back what it took): fs_base/gs_base,
# SSE and the x87 registers are all there.
session target_description tcp -- 'maint print xml-tdesc' 'info registers fs_base gs_base' \
	'p $mxcsr' 'p $xmm0.uint128' 'info registers fctrl' 'kill'
expect target_description \
	'  <architecture>i386:x86-64</architecture>' \
	'    <reg name="xmm0" bitsize="128" type="vec128" regnum="40"/>' \
	'    <reg name="orig_rax" bitsize="64" type="int" regnum="57"/>' \
	'    <reg name="fs_base" bitsize="64" type="int" regnum="58"/>' \
	'fs_base        0x7f0000001000      139637976731648' \
	'gs_base        0x0                 0' \
	'$1 = [ IM DM ZM OM UM PM ]' \
	'$2 = 0' \
	'fctrl          0x37f               895'

echo "$NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" = 0 ]
