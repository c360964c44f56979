# shellcheck shell=bash
# sandbox.sh: `kdune run --seccomp` and `--net=none` (sourced by run.sh, after lib.sh).
#
# The same program runs natively under the profile (progs/seccomp_native: kdune's parser,
# then libseccomp loads the rules into the kernel, as a container runtime does) and under
# `kdune run --seccomp=PROFILE`; status, stdout and stderr must be the same. progs/
# seccomp_calls makes the syscalls named on its command line and prints what each gave.
# Refusals of a bad profile need no KVM and run everywhere.

SC_DIR=$IN/seccomp
mkdir -p "$SC_DIR"
PODMAN_PROFILE=/usr/share/containers/seccomp.json

# sc_profile NAME DEFAULT RULES...: writes $SC_DIR/NAME.json with default action DEFAULT
# and one syscalls[] entry per RULE (JSON text).
sc_profile() {
	local name=$1 def=$2 rules="" r
	shift 2
	for r in "$@"; do
		rules+="${rules:+,}$r"
	done
	printf '{"defaultAction":"%s","syscalls":[%s]}\n' "$def" "$rules" >"$SC_DIR/$name.json"
}

# sc_rule NAMES ACTION [ERRNO] [ARGS]: one syscalls[] entry.
sc_rule() {
	printf '{"names":[%s],"action":"%s"%s%s}' "$1" "$2" "${3:+,\"errnoRet\":$3}" \
		"${4:+,\"args\":[$4]}"
}

# pair_compare NAME CMD...: "${PAIR_NATIVE[@]}" CMD natively, "${PAIR_KDUNE[@]}" CMD
# (kdune with its options, up to --), in fresh directories; status, stdout and stderr must
# be the same. With KDUNE_RUNNER (a harness check), the second run is RUNNER + the native one.
pair_compare() {
	local name=$1 ns ks reason=""
	shift
	local -a second=("${PAIR_KDUNE[@]}")
	[ -n "$RUNNER_SET" ] && second=("${RUNNER[@]}" "${PAIR_NATIVE[@]}")
	local t=$WORK/t/$name
	rm -rf -- "$t"
	mkdir -p -- "$t/native" "$t/kdune"
	xrun "$t/native" /dev/null "" "${PAIR_NATIVE[@]}" "$@"
	ns=$RUN_STATUS
	mv -- "$t/native.out" "$t/n.out"
	mv -- "$t/native.err" "$t/n.err"
	xrun "$t/kdune" /dev/null "" "${second[@]}" "$@"
	ks=$RUN_STATUS
	note_timeout "$ks"
	[ "$ns" = "$ks" ] || reason=$(status_reason "$ns" "$ks")
	diff_files "$t/n.out" "$t/kdune.out" stdout || reason=${reason:-stdout differs}
	diff_files "$t/n.err" "$t/kdune.err" stderr || reason=${reason:-stderr differs}
	if [ -z "$reason" ]; then
		pass "$name"
	else
		detail "statuses: native $ns, kdune $ks"
		show_err "$t/kdune.err" kdune
		fail "$name" "$reason"
	fi
}

# sc_compare NAME PROFILE CMD...: CMD natively under PROFILE and under kdune --seccomp.
sc_compare() {
	local name=$1 profile=$2
	shift 2
	need "$name" kvm kdune prog:seccomp_native prog:seccomp_calls || return 0
	PAIR_NATIVE=("$PROGS/seccomp_native" --seccomp="$profile" --)
	PAIR_KDUNE=("$KDUNE" run --seccomp="$profile" --)
	pair_compare "$name" "$@"
}

# getppid 110, getuid 102, getgid 104, geteuid 107, getegid 108: harmless, argument-blind.
sc_profile actions SCMP_ACT_ALLOW \
	"$(sc_rule '"getppid"' SCMP_ACT_ERRNO 13)" \
	"$(sc_rule '"getuid"' SCMP_ACT_TRAP)" \
	"$(sc_rule '"getgid"' SCMP_ACT_TRACE)" \
	"$(sc_rule '"geteuid"' SCMP_ACT_KILL_THREAD)" \
	"$(sc_rule '"getegid"' SCMP_ACT_KILL_PROCESS)" \
	"$(sc_rule '"getpgrp"' SCMP_ACT_LOG)"
SCA=$SC_DIR/actions.json
SCC=$PROGS/seccomp_calls
sc_compare seccomp_errno "$SCA" "$SCC" 110 110:1:2:3
sc_compare seccomp_trap "$SCA" "$SCC" trap 102 102:7
sc_compare seccomp_trap_unhandled "$SCA" "$SCC" 102
sc_compare seccomp_trace "$SCA" "$SCC" 104
sc_compare seccomp_log_allow "$SCA" "$SCC" 111 39
sc_compare seccomp_kill_thread "$SCA" "$SCC" 107
sc_compare seccomp_kill_thread_of_many "$SCA" "$SCC" thread 107
sc_compare seccomp_kill_process "$SCA" "$SCC" 108
sc_compare seccomp_kill_process_from_thread "$SCA" "$SCC" thread 108
# The policy follows the program into its forks, threads and execs.
sc_compare seccomp_fork "$SCA" "$SCC" fork 110 108
sc_compare seccomp_thread "$SCA" "$SCC" thread 110 trap 102
sc_compare seccomp_exec "$SCA" "$SCC" exec 110 exec trap 102 104
sc_compare seccomp_exec_shell "$SCA" /bin/sh -c "$SCC 110; $SCC 104"

# Each comparison operator, on getppid's second argument, around 0x42 and 2^32.
for op in NE LT LE EQ GE GT MASKED_EQ; do
	sc_profile "op_$op" SCMP_ACT_ALLOW \
		"$(sc_rule '"getppid"' SCMP_ACT_ERRNO 77 \
			"{\"index\":1,\"value\":4294967362,\"valueTwo\":66,\"op\":\"SCMP_CMP_$op\"}")"
	sc_compare "seccomp_op_${op,,}" "$SC_DIR/op_$op.json" "$SCC" 110:0:0 110:0:0x41 110:0:0x42 \
		110:0:0x43 110:0:0x100000041 110:0:0x100000042 110:0:0x100000043 110:0:0xffffffffffffffff
done

# Podman's default profile, as shipped, with real programs and chosen calls.
if [ -r "$PODMAN_PROFILE" ]; then
	sc_compare seccomp_podman_calls "$PODMAN_PROFILE" "$SCC" 110 135:0xffffffff 135:3 \
		41:16:3:9 41:1:1:0 246 169 308:-1 321:-1
	sc_compare seccomp_podman_ls "$PODMAN_PROFILE" /bin/ls -la /etc/hostname /usr/share/containers
	sc_compare seccomp_podman_shell "$PODMAN_PROFILE" /bin/sh -c 'echo a; (echo b) | cat; exit 3'
elif selected seccomp_podman; then
	skip seccomp_podman "$PODMAN_PROFILE not installed (golang-github-containers-common)"
fi

# kdune only: the program's own seccomp() gets EINVAL (a filter on kdune's thread would
# filter kdune itself); under the policy it is still refused.
if need seccomp_own_filter real kvm kdune prog:seccomp_calls; then
	kd seccomp_own_filter run --seccomp="$SCA" -- "$SCC" seccomp 110
	if [ "$KD_STATUS" = 0 ] && grep -qx 'seccomp = -22' "$KD_OUT" &&
		grep -qx '110 = -1 EACCES' "$KD_OUT"; then
		pass seccomp_own_filter
	else
		detail "status $KD_STATUS, stdout: $(head -c 300 "$KD_OUT")"
		fail seccomp_own_filter "own seccomp() not EINVAL, or the policy gone after it"
	fi
fi

# --trace shows a refusal like any failed call; -v counts them.
if need seccomp_trace_and_count real kvm kdune prog:seccomp_calls; then
	kd seccomp_trace_and_count run -v --trace="$WORK/t/sc_trace.txt" --seccomp="$SCA" -- \
		"$SCC" 110 110
	if grep -q '^getppid() = -1 EACCES' "$WORK/t/sc_trace.txt" &&
		grep -q 'seccomp policy: 2 calls refused' "$KD_ERR"; then
		pass seccomp_trace_and_count
	else
		show_err "$KD_ERR" kdune
		detail "trace: $(grep getppid "$WORK/t/sc_trace.txt" | head -n 3)"
		fail seccomp_trace_and_count "no traced refusal, or no count with -v"
	fi
fi

# A bad profile: one line, status 125, before KVM is even looked at (runs without KVM).
sc_bad() { # sc_bad NAME TEXT MESSAGE-PART
	local name=$1 f=$SC_DIR/bad_$1.json
	printf '%s' "$2" >"$f"
	if need "$name" real kdune; then
		if expect_error "$name" 125 "kdune: seccomp profile $f: " run --seccomp="$f" -- /bin/true; then
			if [[ $EXPECT_LINE == *"$3"* ]]; then
				pass "$name"
			else
				detail "stderr: $EXPECT_LINE"
				fail "$name" "message does not say '$3'"
			fi
		fi
	fi
}
sc_bad seccomp_bad_json '{"defaultAction":' "invalid JSON"
sc_bad seccomp_bad_action '{"defaultAction":"SCMP_ACT_NOPE"}' 'unknown action "SCMP_ACT_NOPE"'
sc_bad seccomp_bad_notify '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_NOTIFY"}]}' \
	"SCMP_ACT_NOTIFY is not supported"
sc_bad seccomp_bad_op '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"op":"SCMP_CMP_NOPE"}]}]}' \
	'syscalls[0]: unknown operator'
sc_bad seccomp_bad_binary "$(head -c 300 /bin/true | tr -d '\000')" "invalid JSON"
if need seccomp_missing_file_125 real kdune; then
	expect_error seccomp_missing_file_125 125 "kdune: seccomp profile $SC_DIR/none.json: No such file" \
		run --seccomp="$SC_DIR/none.json" -- /bin/true && pass seccomp_missing_file_125
fi
if need seccomp_bad_fd_125 real kdune; then
	expect_error seccomp_bad_fd_125 125 "kdune: --seccomp: descriptor 0 holds no kdune policy" \
		run --seccomp=fd:0 -- /bin/true && pass seccomp_bad_fd_125
fi
# A good profile gets as far as KVM (here a missing device: the only error left).
if need seccomp_good_profile_parses real kdune; then
	if expect_error seccomp_good_profile_parses 125 "kdune: " run --seccomp="$SCA" \
		--kvm-device=/nonexistent -- /bin/true; then
		if [[ $EXPECT_LINE == */nonexistent* ]]; then
			pass seccomp_good_profile_parses
		else
			detail "stderr: $EXPECT_LINE"
			fail seccomp_good_profile_parses "the profile was refused"
		fi
	fi
fi
if [ -r "$PODMAN_PROFILE" ] && need seccomp_podman_parses real kdune; then
	expect_error seccomp_podman_parses 125 "kdune: /nonexistent" run \
		--seccomp="$PODMAN_PROFILE" --kvm-device=/nonexistent -- /bin/true &&
		pass seccomp_podman_parses
fi

# --net=none: the program sees what it sees natively in a new network namespace (unshare -n):
# only lo, down; no connection even to 127.0.0.1; AF_UNIX works. Its execs stay inside.
NET_PY='import socket
print(socket.if_nameindex())
s = socket.socket()
try:
    s.connect(("127.0.0.1", 9))
except OSError as e:
    print("connect", e.errno)
print(len(socket.socketpair()))'
net_compare() { # net_compare NAME CMD...: natively under `unshare -n`, and kdune --net=none
	local name=$1
	shift
	need "$name" kvm kdune root tool:/usr/bin/unshare tool:/usr/bin/python3 || return 0
	PAIR_NATIVE=(/usr/bin/unshare -n)
	PAIR_KDUNE=("$KDUNE" run --net=none --)
	pair_compare "$name" "$@"
}
net_compare net_none_view /usr/bin/python3 -c "$NET_PY"
net_compare net_none_exec /bin/sh -c "/usr/bin/python3 -c '$NET_PY'; echo \$?"
net_compare net_none_with_seccomp_order /bin/sh -c 'id -u; id -g'
if need net_bad_value_125 real kdune; then
	expect_error net_bad_value_125 125 "kdune: --net takes only 'none'" run --net=host -- /bin/true &&
		pass net_bad_value_125
fi

# --rw and --sandbox: natively, seccomp_native applies the same capabilities, namespace,
# Landlock rules and (with libseccomp) profile to itself before it executes the program.
sb_compare() { # sb_compare NAME OPTION... -- CMD...
	local name=$1
	local -a opts=()
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	need "$name" kvm kdune prog:seccomp_native || return 0
	PAIR_NATIVE=("$PROGS/seccomp_native" "${opts[@]}" --)
	PAIR_KDUNE=("$KDUNE" run "${opts[@]}" --)
	pair_compare "$name" "$@"
}
SB_RW=$WORK/t/rw-dir
mkdir -p "$SB_RW"
SB_SH='touch ./here && echo here; touch /etc/kdune-sandbox-test; echo x >/dev/null && echo null
touch "$1/there" && echo there; rm -f ./here; mkdir ./d && rmdir ./d && echo dir
grep -E "Cap(Bnd|Eff)" /proc/self/status; id -u
/usr/bin/python3 -c "import socket; print(socket.if_nameindex())"'
sb_compare rw_only_beneath --rw="$SB_RW" -- /bin/sh -c "$SB_SH" sh "$SB_RW"
if [ -r "$PODMAN_PROFILE" ]; then
	sb_compare sandbox_flag --sandbox -- /bin/sh -c "$SB_SH" sh /tmp
	sb_compare sandbox_flag_calls --sandbox -- "$SCC" 110 135:3 41:16:3:9 308:-1 fork 110 exec 321:-1
elif selected sandbox_flag; then
	skip sandbox_flag "$PODMAN_PROFILE not installed (golang-github-containers-common)"
fi
if need rw_bad_path_125 real kdune; then
	expect_error rw_bad_path_125 125 "kdune: --rw=/nonexistent: No such file" \
		run --rw=/nonexistent --kvm-device=/nonexistent -- /bin/true && pass rw_bad_path_125
fi
