#!/usr/bin/env bash
# bench/peers.sh BUILD_DIR DOCS_DIR: the same workloads natively, under kdune and under the
# tools a user would pick instead, timed by hyperfine in one run. Writes
# DOCS_DIR/performance.md (tables) and DOCS_DIR/performance.png (gnuplot bar chart); the
# raw hyperfine JSON stays in BUILD_DIR/bench/peers/.
#
# hyperfine and every command it runs are pinned to CPU 0 (`taskset -c 0`): ptrace-based
# tools swing up to 6x when tracer and tracee sit on different CPUs. Each command is first
# run once under `timeout` and its output compared with the native output; a tool that is
# missing, fails or differs gets a cell saying so instead of a time.
#
# PEERS_SMOKE=1 (a check of this script, not a measurement): one run per command, no warm-up,
# and 10 000 getppid calls instead of 1M.
set -euo pipefail
B=$(cd "${1:?usage: bench/peers.sh BUILD_DIR DOCS_DIR}" && pwd)
DOCS=${2:?usage: bench/peers.sh BUILD_DIR DOCS_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$B/bench/peers
rm -rf "$OUT" && mkdir -p "$OUT"
T=$(mktemp -d /tmp/kdune-peers.XXXXXX)
trap 'rm -rf "$T"' EXIT
export LC_ALL=C TZ=UTC PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PIN=(taskset -c 0)
log() { echo "bench-peers: $*" >&2; }

# Tools: name and the prefix that runs a command under it.
TOOLS=(native kdune strace proot qemu runsc)
declare -A PREFIX=(
	[native]=""
	[kdune]="$B/kdune run --"
	[strace]="strace -f -o /dev/null"
	[proot]="proot"
	[qemu]="qemu-x86_64"
	[runsc]="runsc --platform=ptrace --network=none do"
)
declare -A LABEL=(
	[native]="native" [kdune]="kdune" [strace]="strace -f" [proot]="proot"
	[qemu]="qemu-x86_64" [runsc]="gVisor (runsc, ptrace)"
)
declare -A TOOL_NA=()

# Workloads: name, hyperfine runs and warm-up runs, and the command (hyperfine -N splits it
# like a shell would; every program is named by its full path, as qemu-x86_64 needs).
WORKLOADS=(startup getppid gzip python make pipeline)
declare -A RUNS=([startup]=20 [getppid]=3 [gzip]=5 [python]=10 [make]=5 [pipeline]=10)
declare -A WARMUP=([startup]=3 [getppid]=0 [gzip]=1 [python]=2 [make]=1 [pipeline]=2)
declare -A WHAT=(
	[startup]="start-up: \`/bin/true\`"
	[getppid]="1M getppid: \`bench/getppid 1000000\` (syscall(2) in a loop)"
	[gzip]="\`gzip -c\` of 50 MiB of generated mixed data, to /dev/null"
	[python]="python3 start-up plus a short computation (squares of 0..199999 as JSON)"
	[make]="\`make -B\` of a small C project: 8 files, \`cc -O1\`, one link"
	[pipeline]="shell pipeline: \`seq 1 200000 | grep 7 | sort -r | uniq | wc -l\` under /bin/sh"
)

make_inputs() {
	log "generating inputs in $T"
	python3 - "$T/gzip.in" <<'PY'
import random, sys
rnd = random.Random(50)
words = ["".join(rnd.choices("etaoinshrdlucmfw", k=rnd.randint(2, 9))) for _ in range(3000)]
size, out = 50 * 1024 * 1024, bytearray()
while len(out) < size:
    kind = rnd.randrange(3)
    if kind == 0:
        out += (" ".join(rnd.choices(words, k=1500)) + "\n").encode()
    elif kind == 1:
        out += rnd.randbytes(8192)
    else:
        out += "".join(f"{i},{i * 7919 % 10007},{rnd.random():.4f}\n" for i in range(400)).encode()
open(sys.argv[1], "wb").write(out[:size])
PY
	mkdir -p "$T/proj"
	for i in 1 2 3 4 5 6 7 8; do
		cat >"$T/proj/m$i.c" <<C
#include <stdio.h>
#include <string.h>
struct rec$i { char name[32]; double v[8]; int n; };
static int cmp$i(const void *a, const void *b) { return strcmp(((const struct rec$i *)a)->name, ((const struct rec$i *)b)->name); }
double work$i(int n) {
	struct rec$i r[16];
	double s = 0;
	for (int k = 0; k < 16; k++) {
		snprintf(r[k].name, sizeof r[k].name, "rec-%d-%d", $i, (k * 7) % 16);
		for (int j = 0; j < 8; j++) r[k].v[j] = k * j + n;
		r[k].n = k;
	}
	qsort(r, 16, sizeof r[0], cmp$i);
	for (int k = 0; k < 16; k++) s += r[k].v[k % 8] * r[k].n;
	return s;
}
C
	done
	{
		echo '#include <stdio.h>'
		for i in 1 2 3 4 5 6 7 8; do echo "double work$i(int);"; done
		echo 'int main(void) { double s = 0;'
		for i in 1 2 3 4 5 6 7 8; do echo "s += work$i($i);"; done
		# shellcheck disable=SC2028 # C source: the \n is for printf in C
		echo 'printf("%.1f\n", s); return 0; }'
	} >"$T/proj/main.c"
	# shellcheck disable=SC2016 # make's variables, not the shell's
	printf 'OBJ := main.o %s\nprog: $(OBJ)\n\t$(CC) -o $@ $(OBJ)\n%%.o: %%.c\n\t$(CC) -O1 -c -o $@ $<\n' \
		"$(echo m{1..8}.o)" >"$T/proj/Makefile"
}

NCALLS=1000000
if [ -n "${PEERS_SMOKE:-}" ]; then
	NCALLS=10000
	for w in "${WORKLOADS[@]}"; do RUNS[$w]=1 WARMUP[$w]=0; done
fi
declare -A CMD=(
	[startup]="/bin/true"
	[getppid]="$B/bench/getppid $NCALLS"
	[gzip]="/usr/bin/gzip -c $T/gzip.in"
	[python]="/usr/bin/python3 -c 'import json; print(len(json.dumps([i * i for i in range(200000)])))'"
	[make]="/usr/bin/make -s -B -C $T/proj CC=/usr/bin/cc"
	[pipeline]="/bin/sh -c 'seq 1 200000 | grep 7 | sort -r | uniq | wc -l'"
)

# check_tools: a tool that is not installed or cannot run /bin/true gets TOOL_NA.
check_tools() {
	local t bin out
	for t in "${TOOLS[@]}"; do
		[ "$t" = native ] && continue
		bin=${PREFIX[$t]%% *}
		if ! command -v "$bin" >/dev/null; then
			TOOL_NA[$t]="not installed"
			continue
		fi
		# shellcheck disable=SC2086 # the prefix is split into words on purpose
		if ! out=$(timeout -k 5 120 "${PIN[@]}" ${PREFIX[$t]} /bin/true 2>&1); then
			TOOL_NA[$t]="cannot run /bin/true: $(echo "$out" | head -1 | cut -c 1-80)"
		fi
	done
}

# try_runsc_kvm: does gVisor's KVM platform work here? Sets RUNSC_KVM to a sentence.
try_runsc_kvm() {
	local st=0 t0=$SECONDS
	if ! command -v runsc >/dev/null; then
		RUNSC_KVM="not tried: runsc is not installed"
		return
	fi
	timeout -k 5 60 runsc --platform=kvm --network=none "do" /bin/true >"$OUT/runsc-kvm.log" 2>&1 || st=$?
	case $st in
	0) RUNSC_KVM="works: \`/bin/true\` exited 0 in $((SECONDS - t0)) s" ;;
	124 | 137) RUNSC_KVM="does not work here: \`runsc --platform=kvm --network=none do /bin/true\` was still hanging after 60 s and was killed by \`timeout\`" ;;
	*) RUNSC_KVM="does not work here: exit status $st ($(head -1 "$OUT/runsc-kvm.log" | cut -c 1-120))" ;;
	esac
}

# digits WORKLOAD: stdin to stdout, numbers masked for getppid, whose output is a timing.
digits() {
	if [ "$1" = getppid ]; then sed 's/[0-9.]\+/N/g'; else cat; fi
}

# bench WORKLOAD: check each tool's output against native's, then one hyperfine run of all
# tools that passed. Results: $OUT/WORKLOAD.json, and CELL[WORKLOAD,tool] for failures.
declare -A CELL=()
bench() {
	local w=$1 t cmds=() names=() st
	for t in "${TOOLS[@]}"; do
		if [ -n "${TOOL_NA[$t]:-}" ]; then
			CELL[$w,$t]="n/a (${TOOL_NA[$t]})"
			continue
		fi
		st=0
		eval "timeout -k 5 600 ${PIN[*]} ${PREFIX[$t]} ${CMD[$w]}" >"$OUT/$w.$t.out" 2>"$OUT/$w.$t.err" || st=$?
		if [ $st != 0 ]; then
			CELL[$w,$t]="failed (exit $st)"
		elif [ "$t" != native ] && ! cmp -s <(digits "$w" <"$OUT/$w.native.out") <(digits "$w" <"$OUT/$w.$t.out"); then
			CELL[$w,$t]="output differs"
		else
			cmds+=("${PREFIX[$t]}${PREFIX[$t]:+ }${CMD[$w]}")
			names+=(-n "$t")
		fi
	done
	log "$w: hyperfine, ${RUNS[$w]} runs of ${#cmds[@]} commands"
	timeout -k 5 3000 "${PIN[@]}" hyperfine -N --style basic --runs "${RUNS[$w]}" \
		--warmup "${WARMUP[$w]}" --export-json "$OUT/$w.json" "${names[@]}" "${cmds[@]}" \
		>"$OUT/$w.hyperfine.log" 2>&1 || log "$w: hyperfine failed, see $OUT/$w.hyperfine.log"
}

# medians: "workload tool median_seconds" for every measured command.
medians() {
	local w
	for w in "${WORKLOADS[@]}"; do
		[ -s "$OUT/$w.json" ] || continue
		jq -r --arg w "$w" '.results[] | "\($w) \(.command) \(.median)"' "$OUT/$w.json"
	done
}

machine_line() {
	echo "Kernel $(uname -r), \"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)\"," \
		"$(nproc) CPUs, KVM backend: $([ -d /sys/module/kvm_pvm ] && echo "kvm_pvm (nested, shadow paging)" || echo "not PVM")," \
		"load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u '+%Y-%m-%d %H:%M UTC')."
}

main() {
	check_tools
	try_runsc_kvm
	make_inputs
	local w
	for w in "${WORKLOADS[@]}"; do bench "$w"; done
	medians >"$OUT/medians.txt"
	mkdir -p "$DOCS"
	"$HERE/peers-report.py" "$OUT/medians.txt" "$DOCS/performance.png" "$OUT/chart.dat" \
		<<<"$(report_input)" >"$DOCS/performance.md.tmp"
	mv "$DOCS/performance.md.tmp" "$DOCS/performance.md"
	gnuplot "$OUT/chart.gp"
	log "wrote $DOCS/performance.md and $DOCS/performance.png"
}

# report_input: what the report needs besides the medians, as KEY<TAB>VALUE lines.
report_input() {
	local w t
	printf 'machine\t%s\n' "$(machine_line)"
	printf 'runsc_kvm\t%s\n' "$RUNSC_KVM"
	printf 'versions\t%s\n' "$(versions)"
	for t in "${TOOLS[@]}"; do printf 'tool\t%s\t%s\t%s\n' "$t" "${LABEL[$t]}" "${PREFIX[$t]:-(none)}"; done
	for w in "${WORKLOADS[@]}"; do
		printf 'workload\t%s\t%s\t%s\t%s\t%s\n' "$w" "${WHAT[$w]}" "${RUNS[$w]}" "${WARMUP[$w]}" "$(shown "${CMD[$w]}")"
		for t in "${TOOLS[@]}"; do
			[ -n "${CELL[$w,$t]:-}" ] && printf 'cell\t%s\t%s\t%s\n' "$w" "$t" "${CELL[$w,$t]}"
		done
	done
	printf 'chart_gp\t%s\n' "$OUT/chart.gp"
}

# shown CMD: CMD as the report shows it: \$T for the scratch directory, build/ for BUILD_DIR.
shown() {
	local c=${1//$T/\$T}
	echo "${c//$B\//build/}"
}

versions() {
	local v=()
	v+=("kdune $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?')")
	command -v strace >/dev/null && v+=("$(strace -V | head -1)")
	command -v proot >/dev/null && v+=("proot $(dpkg-query -W -f '${Version}' proot 2>/dev/null)")
	command -v qemu-x86_64 >/dev/null && v+=("$(qemu-x86_64 --version | head -1)")
	command -v runsc >/dev/null && v+=("$(runsc --version | head -1)")
	v+=("$(hyperfine --version)")
	local IFS=';'
	echo "${v[*]}"
}

main
