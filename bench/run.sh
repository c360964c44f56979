#!/bin/bash
# bench/run.sh BUILD_DIR: kdune's benchmarks, all in one run, as one markdown report on
# stdout and in BUILD_DIR/bench/results.md. `make bench` builds BUILD_DIR/bench/* first.
#
# Every compared command is pinned to CPU 0: the machine is a noisy 2-vCPU nested VM,
# and pinning keeps native, kdune and the floor on equal terms. Ratios are taken from
# medians measured in this one run, never across runs. Every command runs under
# `timeout`, and a kdune that does not work yields "n/a" cells, never a failure.
set -u

B=${1:?usage: bench/run.sh BUILD_DIR}
BIN=$B/bench
KDUNE=$B/kdune
RES=$BIN/results.md
PIN=(taskset -c 0)
ROUNDS=7          # interleaved rounds for the syscall measurements
N_NATIVE=1000000  # getppid calls per native run (~0.2 s)
N_KVM=20000       # forwarded syscalls per kdune / floor run (~1 s at ~45 us each)
GZIP_RUNS=7
TRUE_RUNS=30
MEM_ROUNDS=7
TOUCH_MIB=1024
PROC_ROUNDS=7     # interleaved rounds for fork, thread and posix_spawn
PROC_N=200        # operations per run

T=$(mktemp -d /tmp/kdune-bench.XXXXXX) || exit 0
NOTES=$T/notes
: >"$NOTES"
CG_PARENT=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	local d
	# cg_run removes its cgroup itself; this catches an interrupted run.
	[ -n "$CG_PARENT" ] || return
	for d in "$CG_PARENT/kdune-bench-$$-"*; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
}
trap 'cleanup; rm -rf "$T"' EXIT

log() { echo "bench: $*" >&2; }
note() { echo "- $*" >>"$NOTES"; }

# median FILE: the median of the numbers in FILE, or "n/a" if there are none.
median() {
	grep -sE '^-?[0-9.]+(e[-+]?[0-9]+)?$' "$1" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR == 0) { print "n/a"; exit }
		      m = int((NR + 1) / 2)
		      if (NR % 2) print v[m]; else print (v[m] + v[m + 1]) / 2 }'
}
count() {
	local n
	n=$(grep -cE '^-?[0-9.]+' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# calc EXPR A B: A op B with printf format, or "n/a" if either operand is not a number.
calc() {
	awk -v a="$2" -v b="$3" -v op="$1" -v fmt="${4:-%.2f}" 'BEGIN {
		if (a !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ || b !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) { print "n/a"; exit }
		if (op == "/") { if (b + 0 == 0) { print "n/a"; exit } r = a / b }
		else if (op == "-") r = a - b
		else if (op == "*") r = a * b
		printf fmt "\n", r }'
}
# fmt VALUE [FORMAT]: a number formatted, anything else ("n/a (why)") unchanged.
fmt() {
	case $1 in
	n/a*) echo "$1" ;;
	*) calc "*" "$1" 1 "${2:-%.1f}" ;;
	esac
}
# met VALUE LIMIT: whether a "lower is better" target is met.
met() {
	awk -v v="$1" -v l="$2" 'BEGIN {
		if (v !~ /^-?[0-9.]+$/) print "n/a"; else print (v + 0 <= l + 0) ? "yes" : "**no**" }'
}
field() { awk -v k="$1" '$1 == k { print $2; exit }'; }

machine_line() {
	local cpu pvm=no
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	[ -d /sys/module/kvm_pvm ] && pvm=yes
	echo "Machine: kernel $(uname -r), CPU \"$cpu\", $(nproc) CPUs, /sys/module/kvm_pvm: $pvm," \
		"load average $(cut -d' ' -f1-3 /proc/loadavg) at the start (other work on the machine skews" \
		"every number), $(date -u '+%Y-%m-%d %H:%M UTC')"
}

# kdune_check: sets KD_OK=1, or KD_NA to "n/a (reason)" for every kdune cell.
kdune_check() {
	local out rc
	KD_OK=0 KD_NA="n/a"
	if [ ! -x "$KDUNE" ]; then
		KD_NA="n/a (kdune not built)"
		note "kdune: $KDUNE does not exist, so every kdune column is n/a."
		return
	fi
	out=$(timeout -k 2 20 "${PIN[@]}" "$KDUNE" run -- /bin/true 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		KD_OK=1
		return
	fi
	case $rc in
	124 | 137) KD_NA="n/a (kdune timed out)" ;;
	*) KD_NA="n/a (kdune exit $rc)" ;;
	esac
	out=$(echo "$out" | head -3 | tr '\n' ' ')
	note "kdune: \`$KDUNE run -- /bin/true\` failed (exit $rc; 124/137 = timeout), so every" \
		"kdune column is n/a. Its output: ${out:-(none)}"
}
kd() { [ "$KD_OK" = 1 ] && echo "$1" || echo "$KD_NA"; }

# ---- 1. syscall: native, kdune and the floor, interleaved so drift hits all three.
bench_syscall() {
	local _ err
	log "syscall: $ROUNDS rounds of getppid (native, kdune) and floor"
	for _ in $(seq "$ROUNDS"); do
		timeout -k 2 30 "${PIN[@]}" "$BIN/getppid" "$N_NATIVE" | field ns_per_syscall >>"$T/sys_native"
		if [ "$KD_OK" = 1 ]; then
			timeout -k 2 60 "${PIN[@]}" "$KDUNE" run -- "$BIN/getppid" "$N_KVM" 2>>"$T/sys_kdune.err" |
				field ns_per_syscall >>"$T/sys_kdune"
			timeout -k 2 60 "${PIN[@]}" "$BIN/enter_getppid" "$N_KVM" 2>>"$T/sys_enter.err" |
				field ns_per_syscall >>"$T/sys_enter"
		fi
		timeout -k 2 60 "${PIN[@]}" "$BIN/floor" "$N_KVM" 1 2>>"$T/floor.err" |
			field floor_ns_per_syscall >>"$T/sys_floor"
	done
	SYS_NATIVE=$(median "$T/sys_native")
	SYS_KDUNE=$(kd "$(median "$T/sys_kdune")")
	[ "$SYS_KDUNE" = n/a ] && SYS_KDUNE="n/a (failed)"
	SYS_ENTER=$(kd "$(median "$T/sys_enter")")
	SYS_FLOOR=$(median "$T/sys_floor")
	[ "$SYS_FLOOR" = n/a ] && SYS_FLOOR="n/a (floor failed, see notes)"
	note "syscall: getppid via syscall(2), medians of $ROUNDS runs each (native $(count "$T/sys_native")," \
		"kdune $(count "$T/sys_kdune"), floor $(count "$T/sys_floor") succeeded), rounds interleaved;" \
		"native N=$N_NATIVE calls per run, kdune and floor N=$N_KVM (floor: after N/10 warm-up)."
	err=$(head -1 "$T/floor.err" 2>/dev/null)
	[ -n "$err" ] && note "floor said: $err"
	err=$(head -1 "$T/sys_kdune.err" 2>/dev/null)
	[ -n "$err" ] && note "kdune getppid stderr: $err"
}

# ---- 1b. the cost of a seccomp policy: getppid under Podman's profile, and the evaluator.
PODMAN_PROFILE=/usr/share/containers/seccomp.json
bench_policy() {
	local _ out
	SYS_POLICY="n/a (no $PODMAN_PROFILE)"
	[ -r "$PODMAN_PROFILE" ] || return 0
	log "policy: $ROUNDS rounds of getppid under --seccomp, and the evaluator alone"
	for _ in $(seq "$ROUNDS"); do
		[ "$KD_OK" = 1 ] || break
		timeout -k 2 60 "${PIN[@]}" "$KDUNE" run --seccomp="$PODMAN_PROFILE" -- "$BIN/getppid" \
			"$N_KVM" 2>>"$T/sys_policy.err" | field ns_per_syscall >>"$T/sys_policy"
	done
	SYS_POLICY=$(kd "$(median "$T/sys_policy")")
	out=$(timeout -k 2 60 "${PIN[@]}" "$BIN/policy_cost" "$PODMAN_PROFILE" 2>&1 | tr '\n' ' ')
	note "policy: Podman's default profile; kdune's evaluator alone, ns per call (policy_cost):" \
		"${out:-n/a}; kernel_filter_ns is the same rules as a kernel filter, natively."
}

# gzip input: 20 MiB of mixed content (text, random, records, runs), same bytes every time.
make_gzip_input() {
	GZ_IN=$BIN/gzip-input.bin
	[ "$(stat -c %s "$GZ_IN" 2>/dev/null)" = 20971520 ] && return 0
	log "generating $GZ_IN"
	python3 - "$GZ_IN" <<'EOF'
import random, sys
rnd = random.Random(20240521)
letters = "abcdefghijklmnopqrstuvwxyz"
words = ["".join(rnd.choices(letters, k=rnd.randint(2, 10))) for _ in range(5000)]
size, out = 20 * 1024 * 1024, bytearray()
while len(out) < size:
    kind = rnd.randrange(4)
    if kind == 0:  # prose-like text: compresses well
        out += (" ".join(rnd.choices(words, k=2000)) + "\n").encode()
    elif kind == 1:  # random bytes: incompressible
        out += rnd.randbytes(16384)
    elif kind == 2:  # CSV-like records: numbers with structure
        out += "".join(f"{i},{i * 37 % 1000},{rnd.random():.5f}\n" for i in range(600)).encode()
    else:  # long runs of one byte
        out += bytes([rnd.randrange(256)]) * rnd.randint(100, 8000)
with open(sys.argv[1], "wb") as f:
    f.write(out[:size])
EOF
}

json_median_ms() {
	[ -s "$1" ] || { echo n/a; return; }
	if command -v jq >/dev/null; then
		jq -r '.results[0].median * 1000' "$1" 2>/dev/null || echo n/a
	else
		python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"]*1000)' \
			"$1" 2>/dev/null || echo n/a
	fi
}

# hyperfine_ms NAME RUNS WARMUP CMD...: median wall time in ms of CMD (pinned, no shell).
hyperfine_ms() {
	local name=$1 runs=$2 warm=$3
	shift 3
	timeout -k 5 600 "${PIN[@]}" hyperfine -N --runs "$runs" --warmup "$warm" \
		--export-json "$T/$name.json" -n "$name" "$*" >"$T/$name.log" 2>&1 ||
		note "hyperfine $name failed: $(grep -iE 'error|fail' "$T/$name.log" | head -2 | tr '\n' ' ')"
	json_median_ms "$T/$name.json"
}

# ---- 2. CPU-bound: gzip.
bench_gzip() {
	local gz
	gz=$(command -v gzip)
	if ! command -v hyperfine >/dev/null || ! make_gzip_input; then
		GZ_NATIVE=n/a GZ_KDUNE="n/a (no hyperfine or input)"
		note "gzip: hyperfine or the input file is missing."
		return
	fi
	log "gzip: $GZIP_RUNS runs each"
	GZ_NATIVE=$(hyperfine_ms gzip_native "$GZIP_RUNS" 1 "$gz" -c "$GZ_IN")
	GZ_KDUNE=$KD_NA
	[ "$KD_OK" = 1 ] && GZ_KDUNE=$(hyperfine_ms gzip_kdune "$GZIP_RUNS" 1 "$KDUNE" run -- "$gz" -c "$GZ_IN")
	note "gzip: \`gzip -c\` of a generated 20 MiB mixed file to /dev/null, wall time, hyperfine" \
		"-N --runs $GZIP_RUNS --warmup 1, median."
}

# ---- 3. start-up: /bin/true.
bench_startup() {
	log "start-up: /bin/true, $TRUE_RUNS runs each"
	TRUE_NATIVE=$(hyperfine_ms true_native "$TRUE_RUNS" 3 /bin/true)
	TRUE_KDUNE=$KD_NA
	if [ "$KD_OK" = 1 ]; then
		TRUE_KDUNE=$(hyperfine_ms true_kdune "$TRUE_RUNS" 3 "$KDUNE" run -- /bin/true)
		timeout -k 2 20 "${PIN[@]}" "$KDUNE" run -v -- /bin/true 2>"$T/verbose" >/dev/null ||
			echo "(kdune run -v -- /bin/true exited $?)" >>"$T/verbose"
	fi
	note "start-up: \`/bin/true\`, hyperfine -N --runs $TRUE_RUNS --warmup 3, median."
}

# per_op PROG WHAT OUT: one native and one kdune run of `PROG WHAT $PROC_N`; their us_per_op
# go to $T/OUT.native and $T/OUT.kdune, kdune's errors to $T/PROG.err.
per_op() {
	timeout -k 2 60 "${PIN[@]}" "$BIN/$1" "$2" "$PROC_N" | field us_per_op >>"$T/$3.native"
	if [ "$KD_OK" = 1 ]; then
		timeout -k 2 120 "${PIN[@]}" "$KDUNE" run -- "$BIN/$1" "$2" "$PROC_N" 2>>"$T/$1.err" |
			field us_per_op >>"$T/$3.kdune"
	fi
}

# ---- 4. processes and threads: fork+wait, thread create+join, posix_spawn+wait.
bench_procs() {
	local _ w
	log "processes: $PROC_ROUNDS rounds of fork, thread and spawn (native, kdune)"
	for _ in $(seq "$PROC_ROUNDS"); do
		for w in fork thread spawn; do
			per_op procs "$w" "$w"
		done
		# The vCPU pool's policy, checked: a new vCPU for every thread instead of a reused one.
		[ "$KD_OK" = 1 ] && KDUNE_VCPU_REUSE=0 timeout -k 2 120 "${PIN[@]}" "$KDUNE" run -- \
			"$BIN/procs" thread "$PROC_N" 2>>"$T/procs.err" | field us_per_op >>"$T/thread_new.kdune"
	done
	PROC_FORK_NATIVE=$(median "$T/fork.native") PROC_FORK_KDUNE=$(kd "$(median "$T/fork.kdune")")
	PROC_THREAD_NATIVE=$(median "$T/thread.native")
	PROC_THREAD_KDUNE=$(kd "$(median "$T/thread.kdune")")
	PROC_SPAWN_NATIVE=$(median "$T/spawn.native") PROC_SPAWN_KDUNE=$(kd "$(median "$T/spawn.kdune")")
	PROC_THREAD_NEW_KDUNE=$(kd "$(median "$T/thread_new.kdune")")
	note "processes: \`procs fork|thread|spawn $PROC_N\` (bench/procs.c): fork + child _exit + waitpid;" \
		"pthread_create + pthread_join of an empty thread; posix_spawn of /bin/true + waitpid." \
		"Medians of $PROC_ROUNDS runs, rounds interleaved. The floor column is the operation's cost" \
		"in exit round trips (kdune ÷ the getppid floor). \"new vCPU per thread\" is the same thread" \
		"benchmark with KDUNE_VCPU_REUSE=0: kdune creates a vCPU for each thread instead of reusing" \
		"a pooled one (KVM then skips the synchronize_rcu it does when a vCPU changes threads)."
}

# ---- 5. signals: a handler's round trip, sent by the program or raised by a fault.
bench_signals() {
	local _ w
	log "signals: $PROC_ROUNDS rounds of kill, segv and segv_ro (native, kdune)"
	for _ in $(seq "$PROC_ROUNDS"); do
		for w in kill segv segv_ro; do
			per_op signals "$w" "sig_$w"
		done
	done
	for w in kill segv segv_ro; do
		printf -v "SIG_${w^^}_NATIVE" %s "$(median "$T/sig_$w.native")"
		printf -v "SIG_${w^^}_KDUNE" %s "$(kd "$(median "$T/sig_$w.kdune")")"
	done
	note "signals: \`signals kill|segv|segv_ro $PROC_N\` (bench/signals.c): tgkill to itself and a" \
		"SIGUSR1 handler that returns; a load from address 0 and a SIGSEGV handler that" \
		"siglongjmps out; the same for a store to a PROT_READ page (under PVM, KVM reports that" \
		"fault without its address and kdune decodes the instruction). Medians of $PROC_ROUNDS runs."
}

# cgroup_init: pick where fresh memory cgroups go (CG_PARENT, CG_PEAK, CG_KPEAK), or
# leave CG_PARENT empty and note why.
cgroup_init() {
	local own
	CG_PARENT="" CG_PEAK="" CG_KPEAK=""
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		# cgroup v2: a child of the root, with the memory controller enabled for it.
		CG_PARENT=/sys/fs/cgroup CG_PEAK=memory.peak
		if ! grep -qw memory "$CG_PARENT/cgroup.subtree_control" &&
			! echo +memory >"$CG_PARENT/cgroup.subtree_control" 2>/dev/null; then
			note "memory: cannot enable the v2 memory controller in $CG_PARENT; RSS only."
			CG_PARENT=""
		fi
	elif [ -d /sys/fs/cgroup/memory ]; then
		# cgroup v1 (hybrid hierarchy): a child of our own memory cgroup, so whatever
		# limits apply to us keep applying.
		own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3; exit }' /proc/self/cgroup)
		CG_PARENT=/sys/fs/cgroup/memory${own%/}
		CG_PEAK=memory.max_usage_in_bytes CG_KPEAK=memory.kmem.max_usage_in_bytes
	else
		note "memory: no cgroup v2 memory controller and no v1 memory hierarchy; RSS only."
		return
	fi
	[ -n "$CG_PARENT" ] && cgroup_probe
}

# cgroup_probe: can we create a cgroup under CG_PARENT, and does it report a peak?
cgroup_probe() {
	local probe=$CG_PARENT/kdune-bench-$$-probe
	if ! mkdir "$probe" 2>/dev/null; then
		note "memory: cannot create a cgroup under $CG_PARENT; RSS only."
		CG_PARENT=""
		return
	fi
	if [ ! -f "$probe/$CG_PEAK" ]; then
		note "memory: cgroups under $CG_PARENT have no $CG_PEAK (kernel too old?); RSS only."
		CG_PARENT=""
	fi
	rmdir "$probe"
}

# cg_run TAG CMD...: run CMD inside a fresh memory cgroup, append its peak (and kernel
# peak, v1 only) in bytes to $T/TAG.peak and $T/TAG.kpeak, then remove the cgroup.
cg_run() {
	local tag=$1 dir
	shift
	if [ -z "$CG_PARENT" ]; then
		"$@"
		return
	fi
	dir=$CG_PARENT/kdune-bench-$$-$tag
	mkdir "$dir" || { "$@"; return; }
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' cg "$dir" "$@"
	cat "$dir/$CG_PEAK" >>"$T/$tag.peak" 2>/dev/null
	[ -n "$CG_KPEAK" ] && cat "$dir/$CG_KPEAK" >>"$T/$tag.kpeak" 2>/dev/null
	for _ in 1 2 3 4 5; do
		rmdir "$dir" 2>/dev/null && break
		sleep 0.2
	done
}

# touch_once TAG [kdune run --]: one `touch` run, recording touch_ms, max RSS, cgroup peaks.
touch_once() {
	local tag=$1 out
	shift
	out=$(cg_run "$tag" timeout -k 2 120 "${PIN[@]}" "${TIME_CMD[@]}" "$@" "$BIN/touch" "$TOUCH_MIB" 2>"$T/$tag.err")
	echo "$out" | field touch_ms >>"$T/$tag.ms"
	[ ${#TIME_CMD[@]} -gt 0 ] && tail -1 "$T/$tag.err" >>"$T/$tag.rss"
}

# ---- 5. memory: first touch of 1 GiB, time and memory.
bench_memory() {
	local _
	TIME_CMD=()
	if [ -x /usr/bin/time ]; then
		TIME_CMD=(/usr/bin/time -f %M)
	else
		note "memory: /usr/bin/time is missing (Debian package \`time\`), so no max RSS."
	fi
	cgroup_init
	log "memory: touch $TOUCH_MIB MiB, 1 warm-up + $MEM_ROUNDS rounds each"
	# The warm-up run absorbs this VM's own first use of host memory (slow when nested).
	touch_once warm_native
	[ "$KD_OK" = 1 ] && touch_once warm_kdune "$KDUNE" run --
	for _ in $(seq "$MEM_ROUNDS"); do
		touch_once mem_native
		[ "$KD_OK" = 1 ] && touch_once mem_kdune "$KDUNE" run --
	done
	note "memory: \`touch $TOUCH_MIB\` (one byte per 4 KiB page), medians of $MEM_ROUNDS runs after" \
		"one warm-up run per side; max RSS from /usr/bin/time -f %M (largest single process);" \
		"cgroup peak: ${CG_PARENT:-n/a}/kdune-bench-PID-*/${CG_PEAK:-n/a}, a fresh cgroup per run," \
		"including kernel memory (page tables, KVM's allocations)${CG_KPEAK:+; kernel part: $CG_KPEAK}."
	# Free page reporting hands freed memory back to the outer hypervisor, so whether a
	# fresh page costs an outer fault too depends on timing: first-touch times swing ~4x.
	grep -q page_reporting /proc/cmdline 2>/dev/null &&
		note "memory: this VM reports free pages to its host ($(grep -o 'page_reporting[^ ]*' /proc/cmdline))," \
			"so first-touch times swing up to ~4x from run to run, natively and under kdune alike."
}

mem_median() { # mem_median FILE DIVISOR: median of FILE's numbers / DIVISOR, or n/a
	local m
	m=$(median "$1")
	calc / "$m" "$2" "%.1f"
}

mem_results() {
	TOUCH_NATIVE=$(mem_median "$T/mem_native.ms" 1)
	RSS_NATIVE=$(mem_median "$T/mem_native.rss" 1024)
	PEAK_NATIVE=$(mem_median "$T/mem_native.peak" 1048576)
	KPEAK_NATIVE=$(mem_median "$T/mem_native.kpeak" 1048576)
	if [ "$KD_OK" = 1 ]; then
		TOUCH_KDUNE=$(mem_median "$T/mem_kdune.ms" 1)
		RSS_KDUNE=$(mem_median "$T/mem_kdune.rss" 1024)
		PEAK_KDUNE=$(mem_median "$T/mem_kdune.peak" 1048576)
		KPEAK_KDUNE=$(mem_median "$T/mem_kdune.kpeak" 1048576)
	else
		TOUCH_KDUNE=$KD_NA RSS_KDUNE=$KD_NA PEAK_KDUNE=$KD_NA KPEAK_KDUNE=$KD_NA
	fi
}

row() { # row CELL...: one markdown table row
	local out="|" cell
	for cell in "$@"; do out+=" $cell |"; done
	echo "$out"
}

proc_row() { # proc_row LABEL NATIVE_US KDUNE_US
	local floor_us
	floor_us=$(calc / "$SYS_FLOOR" 1000 %.3f)
	row "$1" "$(fmt "$2")" "$(fmt "$3")" "$(fmt "$floor_us")" "$(calc / "$3" "$floor_us" %.1f)" \
		"$(calc / "$3" "$2" %.1f)" "$(calc - "$3" "$2" %.0f)" "–" "–"
}

report_table() {
	local kf kn kd
	echo "| benchmark | native | kdune | floor | kdune ÷ floor | kdune ÷ native | kdune − native | target | met |"
	echo "|---|---|---|---|---|---|---|---|---|"
	kf=$(calc / "$SYS_KDUNE" "$SYS_FLOOR") kn=$(calc / "$SYS_KDUNE" "$SYS_NATIVE")
	row "getppid (ns/call)" "$(fmt "$SYS_NATIVE")" "$(fmt "$SYS_KDUNE" %.0f)" \
		"$(fmt "$SYS_FLOOR" %.0f)" "$kf" "$kn" "$(calc - "$SYS_KDUNE" "$SYS_NATIVE" %.0f)" \
		"kdune ÷ floor ≤ 1.15" "$(met "$kf" 1.15)"
	row "getppid after kdune_enter() (ns/call)" "$(fmt "$SYS_NATIVE")" "$(fmt "$SYS_ENTER" %.0f)" \
		"$(fmt "$SYS_FLOOR" %.0f)" "$(calc / "$SYS_ENTER" "$SYS_FLOOR")" \
		"$(calc / "$SYS_ENTER" "$SYS_NATIVE")" "$(calc - "$SYS_ENTER" "$SYS_NATIVE" %.0f)" "–" "–"
	row "getppid under --seccomp, Podman's profile (ns/call)" "$(fmt "$SYS_NATIVE")" \
		"$(fmt "$SYS_POLICY" %.0f)" "$(fmt "$SYS_FLOOR" %.0f)" "$(calc / "$SYS_POLICY" "$SYS_FLOOR")" \
		"$(calc / "$SYS_POLICY" "$SYS_NATIVE")" "$(calc - "$SYS_POLICY" "$SYS_NATIVE" %.0f)" "–" "–"
	kn=$(calc / "$GZ_KDUNE" "$GZ_NATIVE")
	row "gzip -c 20 MiB (ms)" "$(fmt "$GZ_NATIVE")" "$(fmt "$GZ_KDUNE")" "–" "–" "$kn" \
		"$(calc - "$GZ_KDUNE" "$GZ_NATIVE" %.1f)" "kdune ÷ native ≤ 1.05" "$(met "$kn" 1.05)"
	kd=$(calc - "$TRUE_KDUNE" "$TRUE_NATIVE")
	row "/bin/true start-up (ms)" "$(fmt "$TRUE_NATIVE" %.2f)" "$(fmt "$TRUE_KDUNE" %.2f)" "–" "–" \
		"$(calc / "$TRUE_KDUNE" "$TRUE_NATIVE")" "$kd" "kdune − native ≤ 5 ms" "$(met "$kd" 5)"
	proc_row "fork + exit + wait (µs)" "$PROC_FORK_NATIVE" "$PROC_FORK_KDUNE"
	proc_row "thread create + join (µs)" "$PROC_THREAD_NATIVE" "$PROC_THREAD_KDUNE"
	proc_row "thread create + join, new vCPU per thread (µs)" "$PROC_THREAD_NATIVE" \
		"$PROC_THREAD_NEW_KDUNE"
	proc_row "posix_spawn /bin/true + wait (µs)" "$PROC_SPAWN_NATIVE" "$PROC_SPAWN_KDUNE"
	proc_row "signal to itself, handler returns (µs)" "$SIG_KILL_NATIVE" "$SIG_KILL_KDUNE"
	proc_row "SIGSEGV at address 0, handler siglongjmps (µs)" "$SIG_SEGV_NATIVE" "$SIG_SEGV_KDUNE"
	proc_row "SIGSEGV on a read-only page, handler siglongjmps (µs)" "$SIG_SEGV_RO_NATIVE" \
		"$SIG_SEGV_RO_KDUNE"
	row "touch $TOUCH_MIB MiB, first-touch loop (ms)" "$TOUCH_NATIVE" "$TOUCH_KDUNE" "–" "–" \
		"$(calc / "$TOUCH_KDUNE" "$TOUCH_NATIVE")" "$(calc - "$TOUCH_KDUNE" "$TOUCH_NATIVE" %.1f)" "–" "–"
	row "touch $TOUCH_MIB MiB, max RSS (MiB)" "$RSS_NATIVE" "$RSS_KDUNE" "–" "–" \
		"$(calc / "$RSS_KDUNE" "$RSS_NATIVE")" "$(calc - "$RSS_KDUNE" "$RSS_NATIVE" %.1f)" "–" "–"
	row "touch $TOUCH_MIB MiB, cgroup memory peak incl. kernel (MiB)" "$PEAK_NATIVE" "$PEAK_KDUNE" \
		"–" "–" "$(calc / "$PEAK_KDUNE" "$PEAK_NATIVE")" \
		"$(calc - "$PEAK_KDUNE" "$PEAK_NATIVE" %.1f)" "–" "–"
	[ -n "$CG_KPEAK" ] && row "touch $TOUCH_MIB MiB, of which kernel memory peak (MiB)" \
		"$KPEAK_NATIVE" "$KPEAK_KDUNE" "–" "–" "$(calc / "$KPEAK_KDUNE" "$KPEAK_NATIVE")" \
		"$(calc - "$KPEAK_KDUNE" "$KPEAK_NATIVE" %.1f)" "–" "–"
}

report() {
	echo "## kdune benchmarks"
	echo
	echo "$MACHINE"
	echo
	echo "All commands pinned with \`taskset -c 0\`; every number is a median from this one run."
	echo
	report_table
	echo
	echo "### Notes"
	echo
	cat "$NOTES"
	echo
	echo "### kdune -v start-up summary (\`kdune run -v -- /bin/true\`, stderr verbatim)"
	echo
	echo '```'
	if [ "$KD_OK" = 1 ]; then cat "$T/verbose"; else echo "$KD_NA"; fi
	echo '```'
}

main() {
	mkdir -p "$BIN"
	MACHINE=$(machine_line)
	kdune_check
	bench_syscall
	bench_policy
	bench_gzip
	bench_startup
	bench_procs
	bench_signals
	bench_memory
	mem_results
	report >"$T/report.md"
	cp "$T/report.md" "$RES" 2>/dev/null || log "cannot write $RES"
	cat "$T/report.md"
}

main
exit 0
