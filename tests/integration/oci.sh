#!/usr/bin/env bash
# OCI runtime tests: BUILD_DIR/kdune-runtime in front of the real runc, on bundles whose rootfs
# is a static busybox and nothing else (no libc: whatever kdune runs in there must be static).
#
#   tests/integration/oci.sh BUILD_DIR [REGEX]
#
# Needs root, runc, jq and busybox-static (tools/install-oci-deps.sh); each test SKIPs with
# the reason when runc is missing or cannot create containers on this machine. Without KVM
# a container's process cannot run under kdune: those tests SKIP, and the rest use a device
# node with KVM's numbers (10:232) so that the edit, the pass-through and kdune's start inside
# the container can be checked. Output: PASS/FAIL/SKIP lines, then "N passed, N failed, N
# skipped"; exit 1 if any failed. KDUNE_KEEP=1 keeps the scratch directory.

# jq programs are given in single quotes on purpose.
# shellcheck disable=SC2016
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BUILD_DIR [REGEX]" >&2
	exit 2
fi
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || {
	echo "$0: $1: no such directory" >&2
	exit 2
}
FILTER=${2:-${KDUNE_TESTS:-}}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
export LC_ALL=C TZ=UTC
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset KDUNE_LOWER_RUNTIME KDUNE_OPTIONS KDUNE_KVM_DEVICE
RT=$BUILD_DIR/kdune-runtime
KDUNE=$BUILD_DIR/kdune
T=60 # seconds allowed for each runtime command

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kdune-oci.XXXXXX") || exit 2
ROOT=$WORK/state
# The runtime's own config file must not come from the machine.
echo '{}' >"$WORK/runtime.json"
export KDUNE_RUNTIME_CONFIG=$WORK/runtime.json
cleanup() {
	if command -v runc >/dev/null && [ -d "$ROOT" ]; then
		for c in $(runc --root "$ROOT" list -q 2>/dev/null); do
			timeout 20 runc --root "$ROOT" delete -f "$c" >/dev/null 2>&1
		done
	fi
	if [ "${KDUNE_KEEP:-}" = 1 ]; then
		echo "# scratch directory kept: $WORK"
	else
		rm -rf -- "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- What this machine offers ---------------------------------------------------------------
KVM_SKIP=""
if [ -x "$BUILD_DIR/progs/kvmcheck" ]; then
	kvm_out=$(timeout 30 "$BUILD_DIR/progs/kvmcheck" 2>&1) || KVM_SKIP="KVM not usable: ${kvm_out:-kvmcheck failed}"
else
	[ -c /dev/kvm ] || KVM_SKIP="KVM not usable: no /dev/kvm"
fi
[ -n "$KVM_SKIP" ] && KVM_SKIP="$KVM_SKIP: a container's process cannot run under kdune here"

RUNC_SKIP=""
BUSYBOX=/bin/busybox
if [ "$(id -u)" != 0 ]; then
	RUNC_SKIP="needs root (runc's rootless mode is not set up by this test)"
elif ! command -v runc >/dev/null; then
	RUNC_SKIP="runc is not installed (tools/install-oci-deps.sh installs it)"
elif ! command -v jq >/dev/null; then
	RUNC_SKIP="jq is not installed (tools/install-oci-deps.sh installs it)"
elif ! [ -x $BUSYBOX ] || ldd $BUSYBOX >/dev/null 2>&1; then
	RUNC_SKIP="no static $BUSYBOX for the rootfs (busybox-static)"
fi

# A rootfs with busybox alone, shared by every bundle (read-only in the containers).
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/proc" "$WORK/rootfs/dev" "$WORK/rootfs/sys"
if [ -x $BUSYBOX ]; then
	cp $BUSYBOX "$WORK/rootfs/bin/"
	for x in sh echo cat ls grep sleep true kill; do ln -s busybox "$WORK/rootfs/bin/$x"; done
	mkdir -p "$WORK/rootfs/etc" && echo hello >"$WORK/rootfs/etc/motd" # not executable
fi

# mkbundle DIR ARGS_JSON [ANNOTATIONS_JSON]: a bundle from `runc spec`, no terminal.
mkbundle() {
	mkdir -p "$1"
	(cd "$1" && runc spec) || return 1
	jq --arg root "$WORK/rootfs" --argjson args "$2" --argjson ann "${3:-{\}}" \
		'.process.terminal = false | .process.args = $args | .root = {path: $root, readonly: true}
		| .annotations = $ann' "$1/config.json" >"$1/config.tmp" && mv "$1/config.tmp" "$1/config.json"
}

# rt NAME ARGS...: runs kdune-runtime with --root; stdout/stderr in $WORK/NAME.out/.err,
# status in RT_STATUS. Stdin is closed off: a created container keeps the files, not pipes.
rt() {
	local name=$1
	shift
	timeout -k 5 $T "$RT" --root "$ROOT" "$@" </dev/null >"$WORK/$name.out" 2>"$WORK/$name.err"
	RT_STATUS=$?
}

show() {
	detail "stdout: $(head -c 300 "$WORK/$1.out")" "stderr: $(head -c 300 "$WORK/$1.err")"
}

if [ -z "$RUNC_SKIP" ]; then
	mkbundle "$WORK/probe" '["echo","probe-ok"]' >/dev/null 2>&1
	if ! out=$(timeout $T runc --root "$ROOT" run -b "$WORK/probe" probe </dev/null 2>&1) ||
		[ "$out" != probe-ok ]; then
		RUNC_SKIP="runc cannot run a container here: $(printf '%s' "$out" | head -n 1)"
	fi
	timeout 20 runc --root "$ROOT" delete -f probe >/dev/null 2>&1
fi
echo "# runc: ${RUNC_SKIP:-$(runc --version | head -n 1)}"
echo "# KVM: ${KVM_SKIP:-ok}"

# A KVM device for the edit: the host's, or a node with KVM's numbers that kdune opens and
# finds no driver behind (so kdune's start inside the container shows, ending with 125).
FAKE_KVM=""
C1_OK=""
if [ -n "$KVM_SKIP" ] && [ -z "$RUNC_SKIP" ]; then
	mknod "$WORK/kvm" c 10 232 2>/dev/null && FAKE_KVM=$WORK/kvm
fi
with_kvm() {
	if [ -n "$FAKE_KVM" ]; then KDUNE_KVM_DEVICE=$FAKE_KVM "$@"; else "$@"; fi
}

# need_runc NAME [kvm|node|c1]: SKIP (returning 1) when runc, KVM or a KVM node is missing,
# or (c1) when the container c1 that oci_create_edits_bundle creates is not there.
need_runc() {
	selected "$1" || return 1
	DETAIL=""
	if [ -n "$RUNC_SKIP" ]; then
		skip "$1" "$RUNC_SKIP"
		return 1
	fi
	if [ "${2:-}" = c1 ] && [ -z "$C1_OK" ]; then
		skip "$1" "needs the container of oci_create_edits_bundle, which did not pass or run"
		return 1
	fi
	if [ "${2:-}" = kvm ] && [ -n "$KVM_SKIP" ]; then
		skip "$1" "$KVM_SKIP"
		return 1
	fi
	if [ "${2:-}" = node ] && [ -n "$KVM_SKIP" ] && [ -z "$FAKE_KVM" ]; then
		skip "$1" "no /dev/kvm, and mknod of a node with KVM's numbers failed"
		return 1
	fi
	return 0
}

# --- Pass-through ---------------------------------------------------------------------------
if selected oci_passthrough_lower; then
	# A lower runtime that only records its arguments: what runc would have received.
	printf '#!/bin/sh\nprintf "%%s\\n" "$0" "$@" > "%s"\n' "$WORK/lower.args" >"$WORK/lower"
	chmod +x "$WORK/lower"
	"$RT" --kdune-runtime="$WORK/lower" --root /r --log /l --debug kill --all c1 KILL 2>"$WORK/pl.err"
	a=$(tr '\n' ' ' <"$WORK/lower.args")
	KDUNE_LOWER_RUNTIME=$WORK/lower "$KDUNE" oci --systemd-cgroup --kdune-options=-v ps c2 2>>"$WORK/pl.err"
	b=$(tr '\n' ' ' <"$WORK/lower.args")
	"$RT" --kdune-runtime="$WORK/none" state c3 2>"$WORK/pl3.err"
	st=$?
	if [ "$a" != "$WORK/lower --root /r --log /l --debug kill --all c1 KILL " ]; then
		fail oci_passthrough_lower "--kdune-runtime: the lower runtime got: $a"
	elif [ "$b" != "$WORK/lower --systemd-cgroup ps c2 " ]; then
		fail oci_passthrough_lower "KDUNE_LOWER_RUNTIME with kdune oci: the lower runtime got: $b"
	elif [ "$st" != 1 ] || ! grep -q "level=error msg=\"kdune state failed: cannot run the lower runtime $WORK/none: No such file" "$WORK/pl3.err"; then
		detail "$(cat "$WORK/pl3.err")"
		fail oci_passthrough_lower "a missing lower runtime: status $st, expected 1 and runc's error line"
	else
		pass oci_passthrough_lower
	fi
fi

if need_runc oci_passthrough_runc; then
	rt pv --version
	if [ "$RT_STATUS" != 0 ] || [ "$(cat "$WORK/pv.out")" != "$(runc --version)" ]; then
		show pv
		fail oci_passthrough_runc "kdune-runtime --version is not runc's"
	else
		pass oci_passthrough_runc
	fi
fi

# --- create refused without KVM, runc-style --------------------------------------------------
if need_runc oci_no_kvm_fails_at_create; then
	mkbundle "$WORK/nokvm" '["sh","-c","echo hi"]' >/dev/null
	cp "$WORK/nokvm/config.json" "$WORK/nokvm.orig"
	KDUNE_KVM_DEVICE=$WORK/no-such-kvm rt nk --log "$WORK/nk.log" --log-format json create -b "$WORK/nokvm" nk
	line=$(tail -n 1 "$WORK/nk.log" 2>/dev/null)
	msg=$(printf '%s' "$line" | jq -r 'select(.level == "error" and (.time | test("^[0-9-]+T"))) | .msg' 2>/dev/null)
	KDUNE_KVM_DEVICE=$WORK/no-such-kvm rt nk2 --log "$WORK/nk2.log" create -b "$WORK/nokvm" nk
	if [ "$RT_STATUS" != 1 ] || [[ $msg != "kdune create failed: /dev/kvm: no such device on this host"*"org.kdune.enable=false"* ]]; then
		detail "log: $line"
		show nk
		fail oci_no_kvm_fails_at_create "expected status 1 and a JSON error line naming /dev/kvm"
	elif ! grep -qxF "$msg" "$WORK/nk.err"; then
		show nk
		fail oci_no_kvm_fails_at_create "the message is not on stderr as runc puts it"
	elif ! grep -q '^time="[^"]*" level=error msg="kdune create failed: /dev/kvm' "$WORK/nk2.log"; then
		detail "$(cat "$WORK/nk2.log")"
		fail oci_no_kvm_fails_at_create "--log-format text: not logrus's text line"
	elif ! cmp -s "$WORK/nokvm/config.json" "$WORK/nokvm.orig" || runc --root "$ROOT" state nk >/dev/null 2>&1; then
		fail oci_no_kvm_fails_at_create "the failed create changed config.json or left a container"
	else
		pass oci_no_kvm_fails_at_create
	fi
fi

if need_runc oci_bad_bundle; then
	mkdir -p "$WORK/empty" "$WORK/corrupt"
	printf '{"process": {"args": ["sh"]' >"$WORK/corrupt/config.json"
	with_kvm rt bb1 --log "$WORK/bb.log" --log-format json create -b "$WORK/empty" bb
	st1=$RT_STATUS
	with_kvm rt bb2 --log "$WORK/bb.log" --log-format json create --bundle="$WORK/corrupt" bb
	st2=$RT_STATUS
	m1=$(sed -n 1p "$WORK/bb.log" | jq -r .msg 2>/dev/null)
	m2=$(sed -n 2p "$WORK/bb.log" | jq -r .msg 2>/dev/null)
	if [ "$st1" != 1 ] || [ "$m1" != "kdune create failed: open $WORK/empty/config.json: No such file or directory" ]; then
		detail "log: $(cat "$WORK/bb.log")"
		fail oci_bad_bundle "no config.json: status $st1, expected 1 and an 'open ...' error"
	elif [ "$st2" != 1 ] || [[ $m2 != "kdune create failed: $WORK/corrupt/config.json: invalid JSON"* ]]; then
		detail "log: $(cat "$WORK/bb.log")"
		fail oci_bad_bundle "corrupt config.json: status $st2, expected 1 and an 'invalid JSON' error"
	elif [ "$(wc -l <"$WORK/bb.log")" != 2 ]; then
		fail oci_bad_bundle "expected exactly one log line per failure"
	else
		pass oci_bad_bundle
	fi
fi

# A program that is not there fails at create with runc's own words (runc checks before
# start; kdune would only notice at start), and the bundle is left as it was.
if need_runc oci_missing_program_at_create node; then
	bad=""
	# (not /proc: a path on one of the container's mounts is let through, runc mounts it later)
	for prog in nosuch /bin/nosuch /bin/busybox/x /etc /etc/motd; do
		mkbundle "$WORK/mp" "[\"$prog\"]" >/dev/null
		cp "$WORK/mp/config.json" "$WORK/mp.orig"
		rm -f "$WORK/mp-runc.log" "$WORK/mp.log"
		timeout $T runc --root "$ROOT" --log "$WORK/mp-runc.log" --log-format json create -b "$WORK/mp" mp \
			</dev/null >/dev/null 2>&1
		want=$(jq -r '.msg | sub("^runc create failed: "; "")' "$WORK/mp-runc.log" 2>/dev/null | tail -n 1)
		runc --root "$ROOT" delete -f mp >/dev/null 2>&1
		with_kvm rt mp --log "$WORK/mp.log" --log-format json create -b "$WORK/mp" mp
		got=$(jq -r '.msg | sub("^kdune create failed: "; "")' "$WORK/mp.log" 2>/dev/null | tail -n 1)
		if [ -z "$want" ]; then
			bad="runc itself did not fail for $prog"
		elif [ "$RT_STATUS" != 1 ] || [ "$got" != "$want" ]; then
			bad="$prog: runc says '$want', kdune-runtime (status $RT_STATUS) '$got'"
		elif ! cmp -s "$WORK/mp/config.json" "$WORK/mp.orig"; then
			bad="$prog: config.json was edited"
		fi
		runc --root "$ROOT" delete -f mp >/dev/null 2>&1
		rm -rf "$WORK/mp"
		[ -n "$bad" ] && break
	done
	if [ -n "$bad" ]; then
		fail oci_missing_program_at_create "$bad"
	else
		pass oci_missing_program_at_create
	fi
fi

# --- Opted-out containers run through runc unchanged, KVM or not ----------------------------
if need_runc oci_optout_runs_natively; then
	mkbundle "$WORK/optout" '["sh","-c","echo native; exit 7"]' '{"org.kdune.enable":"false"}' >/dev/null
	cp "$WORK/optout/config.json" "$WORK/optout.orig"
	KDUNE_KVM_DEVICE=$WORK/no-such-kvm rt oo run -b "$WORK/optout" oo
	if [ "$RT_STATUS" != 7 ] || [ "$(cat "$WORK/oo.out")" != native ]; then
		show oo
		fail oci_optout_runs_natively "status $RT_STATUS, expected 7 and 'native'"
	elif ! cmp -s "$WORK/optout/config.json" "$WORK/optout.orig"; then
		fail oci_optout_runs_natively "config.json was edited"
	else
		pass oci_optout_runs_natively
	fi
	runc --root "$ROOT" delete -f oo >/dev/null 2>&1
fi

if need_runc oci_sandbox_not_edited; then
	mkbundle "$WORK/pause" '["sh","-c","echo pause"]' '{"io.kubernetes.cri.container-type":"sandbox"}' >/dev/null
	cp "$WORK/pause/config.json" "$WORK/pause.orig"
	KDUNE_KVM_DEVICE=$WORK/no-such-kvm rt ps1 run -b "$WORK/pause" ps1
	mkbundle "$WORK/pause2" '["true"]' '{"io.kubernetes.cri-o.ContainerType":"sandbox"}' >/dev/null
	cp "$WORK/pause2/config.json" "$WORK/pause2.orig"
	KDUNE_KVM_DEVICE=$WORK/no-such-kvm rt ps2 run -b "$WORK/pause2" ps2
	if [ "$RT_STATUS" != 0 ] || [ "$(cat "$WORK/ps1.out")" != pause ]; then
		show ps1
		fail oci_sandbox_not_edited "a pod sandbox did not run natively"
	elif ! cmp -s "$WORK/pause/config.json" "$WORK/pause.orig" || ! cmp -s "$WORK/pause2/config.json" "$WORK/pause2.orig"; then
		fail oci_sandbox_not_edited "a sandbox's config.json was edited"
	else
		pass oci_sandbox_not_edited
	fi
	runc --root "$ROOT" delete -f ps1 >/dev/null 2>&1
	runc --root "$ROOT" delete -f ps2 >/dev/null 2>&1
fi

# --- A kdune container: create edits the bundle, the rest passes through --------------------
if need_runc oci_create_edits_bundle node; then
	mkbundle "$WORK/b1" '["sh","-c","echo hi; exit 7"]' '{"org.kdune.options":"-v"}' >/dev/null
	with_kvm rt c1 --log "$WORK/c1.log" --log-format json create -b "$WORK/b1" c1
	kvm=${FAKE_KVM:-/dev/kvm}
	maj=$((0x$(stat -c %t "$kvm"))) min=$((0x$(stat -c %T "$kvm")))
	cfg=$WORK/b1/config.json
	if [ "$RT_STATUS" != 0 ]; then
		show c1
		fail oci_create_edits_bundle "create: status $RT_STATUS"
	elif [ "$(jq -c .process.args "$cfg")" != '["/.kdune/kdune","run","-v","--","sh","-c","echo hi; exit 7"]' ]; then
		fail oci_create_edits_bundle "process.args: $(jq -c .process.args "$cfg")"
	elif [ "$(jq -c --arg k "$(readlink -f "$KDUNE")" '[.mounts[] | select(.destination == "/.kdune/kdune" and .source == $k
		and .type == "bind" and .options == ["rbind","ro","nosuid","nodev"])] | length' "$cfg")" != 1 ] ||
		[ "$(jq '[.mounts[] | select(.destination == "/.kdune/kdune-decode")] | length' "$cfg")" != 1 ]; then
		fail oci_create_edits_bundle "mounts: $(jq -c .mounts "$cfg")"
	elif [ "$(jq -c '.linux.devices' "$cfg")" != "[{\"path\":\"/dev/kvm\",\"type\":\"c\",\"major\":$maj,\"minor\":$min,\"fileMode\":438,\"uid\":0,\"gid\":0}]" ] ||
		[ "$(jq -c '.linux.resources.devices[-1]' "$cfg")" != "{\"allow\":true,\"type\":\"c\",\"major\":$maj,\"minor\":$min,\"access\":\"rwm\"}" ]; then
		fail oci_create_edits_bundle "devices: $(jq -c '.linux.devices, .linux.resources.devices' "$cfg")"
	else
		C1_OK=1
		pass oci_create_edits_bundle
	fi
fi

if need_runc oci_state_passthrough c1; then
	rt st1 state c1
	if [ "$RT_STATUS" != 0 ] || [ "$(jq -r '.id + " " + .status + " " + .bundle' "$WORK/st1.out")" != "c1 created $WORK/b1" ]; then
		show st1
		fail oci_state_passthrough "state of the created container"
	else
		pass oci_state_passthrough
	fi
fi

if need_runc oci_create_idempotent c1; then
	cp "$WORK/b1/config.json" "$WORK/b1.once"
	with_kvm rt c2 create -b "$WORK/b1" c2
	if [ "$RT_STATUS" != 0 ] || ! cmp -s "$WORK/b1/config.json" "$WORK/b1.once"; then
		show c2
		detail "args: $(jq -c .process.args "$WORK/b1/config.json")"
		fail oci_create_idempotent "a second create from the edited bundle changed it (status $RT_STATUS)"
	else
		pass oci_create_idempotent
	fi
	runc --root "$ROOT" delete -f c2 >/dev/null 2>&1
fi

# kdune and kdune-decode run in a rootfs that has no libraries, from read-only nosuid,nodev
# mounts, and the KVM node is there (checked with plain runc, whose exec is not prefixed).
if need_runc oci_static_binaries_in_container c1; then
	x() { timeout $T runc --root "$ROOT" exec c1 "$@" </dev/null 2>&1; }
	v=$(x /.kdune/kdune --version)
	d=$(x /.kdune/kdune-decode 0 488b07)
	mi=$(x grep ' /.kdune/kdune ' /proc/self/mountinfo)
	dev=$(x ls -l /dev/kvm)
	libs=$(find "$WORK/rootfs" -maxdepth 1 | tr "\n" " ")
	if [ "$v" != "kdune $(sed -n 's/^VERSION := //p' "$HERE/../../Makefile")" ]; then
		fail oci_static_binaries_in_container "/.kdune/kdune --version in the container: $v (rootfs: $libs)"
	elif [ "$(printf '%s' "$d" | head -n 1)" != "mem rdi - 1 0 - 0" ]; then
		fail oci_static_binaries_in_container "/.kdune/kdune-decode in the container: $d"
	elif ! [[ $mi == *" ro,nosuid,nodev"* ]]; then
		fail oci_static_binaries_in_container "the kdune mount is not ro,nosuid,nodev: $mi"
	elif ! [[ $dev == c*" $maj, "*"$min "*/dev/kvm ]]; then
		fail oci_static_binaries_in_container "/dev/kvm in the container: $dev"
	else
		pass oci_static_binaries_in_container
	fi
fi

# exec, both forms, through kdune-runtime: the new process goes through kdune in the
# container. Without KVM kdune itself says so from inside (status 125); with KVM it runs.
exec_ok() { # exec_ok NAME: the result of an exec of `echo hi`
	if [ -z "$KVM_SKIP" ]; then
		[ "$RT_STATUS" = 0 ] && [ "$(cat "$WORK/$1.out")" = hi ]
	else
		[ "$RT_STATUS" = 125 ] && grep -q '^kdune: /dev/kvm: No such device' "$WORK/$1.err"
	fi
}
if need_runc oci_exec_command_prefixed c1; then
	rt ex1 exec c1 echo hi
	if ! exec_ok ex1; then
		show ex1
		fail oci_exec_command_prefixed "exec c1 echo hi: status $RT_STATUS"
	else
		pass oci_exec_command_prefixed
	fi
fi

if need_runc oci_exec_process_file_prefixed c1; then
	# as containerd writes it: the container's process object with the exec's own args
	jq '.process | .args = ["echo", "hi"]' "$WORK/b1/config.json" >"$WORK/process.json"
	rt ex2 exec --process "$WORK/process.json" c1
	if [ "$(jq -c .args "$WORK/process.json")" != '["/.kdune/kdune","run","-v","--","echo","hi"]' ]; then
		fail oci_exec_process_file_prefixed "process.json args: $(jq -c .args "$WORK/process.json")"
	elif ! exec_ok ex2; then
		show ex2
		fail oci_exec_process_file_prefixed "exec --process: status $RT_STATUS"
	else
		pass oci_exec_process_file_prefixed
	fi
fi

# An opted-out container's exec is not prefixed: it runs natively, through runc.
if need_runc oci_exec_optout_not_prefixed; then
	mkbundle "$WORK/b3" '["sleep","30"]' '{"org.kdune.enable":"false"}' >/dev/null
	rt c3 create -b "$WORK/b3" c3
	rt ex3 exec c3 echo plain
	if [ "$RT_STATUS" != 0 ] || [ "$(cat "$WORK/ex3.out")" != plain ]; then
		show ex3
		fail oci_exec_optout_not_prefixed "exec in an opted-out container: status $RT_STATUS"
	else
		pass oci_exec_optout_not_prefixed
	fi
	runc --root "$ROOT" delete -f c3 >/dev/null 2>&1
fi

if need_runc oci_kill_delete_passthrough c1; then
	rt k1 kill c1 KILL
	kst=$RT_STATUS
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(runc --root "$ROOT" state c1 2>/dev/null | jq -r .status)" = stopped ] && break
		sleep 0.2
	done
	rt d1 delete c1
	if [ "$kst" != 0 ] || [ "$RT_STATUS" != 0 ]; then
		show k1
		show d1
		fail oci_kill_delete_passthrough "kill: status $kst, delete: status $RT_STATUS"
	elif runc --root "$ROOT" state c1 >/dev/null 2>&1; then
		fail oci_kill_delete_passthrough "c1 still exists after delete"
	else
		pass oci_kill_delete_passthrough
	fi
fi

# --- With KVM: the container's process runs under kdune --------------------------------------
if need_runc oci_run_under_kdune kvm; then
	mkbundle "$WORK/b4" '["sh","-c","echo hi; exit 7"]' '{"org.kdune.options":"--trace"}' >/dev/null
	rt r4 run -b "$WORK/b4" r4
	# --trace lines come from kdune inside the container: the process ran in its VM.
	if [ "$RT_STATUS" != 7 ] || [ "$(cat "$WORK/r4.out")" != hi ] || ! grep -q '^exit_group(7)' "$WORK/r4.err"; then
		show r4
		fail oci_run_under_kdune "status $RT_STATUS, expected 7, 'hi' and kdune's trace"
	else
		pass oci_run_under_kdune
	fi
	runc --root "$ROOT" delete -f r4 >/dev/null 2>&1
fi

# --- Engines ----------------------------------------------------------------------------------
if selected oci_engines; then
	skip oci_docker "not attempted: Docker's daemon does not run on this kind of machine (README, Containers)"
	for e in podman containerd crio; do
		if command -v $e >/dev/null; then
			skip oci_$e "$e is installed, but no test drives it yet"
		else
			skip oci_$e "$e is not installed"
		fi
	done
fi

echo "$NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" -eq 0 ]
