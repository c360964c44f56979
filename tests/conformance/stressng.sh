#!/usr/bin/env bash
# stress-ng stressors with --verify, one worker each, natively and under kdune. Compared:
# the exit status, the "successful run" line and the count of "fail:" lines. Bogo-op counts
# are shown but not compared: they measure speed. See lib.sh for the environment.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

# "stressor[@label]:area:extra options" (the label tells rows of one stressor apart)
FULL=(
	"fork:processes" "vfork:processes" "clone:processes" "exec:processes" "wait:processes"
	"pthread:threads" "mutex:threads"
	"vm:memory:--vm-bytes 64m" "mmap:memory:--mmap-bytes 64m" "brk:memory" "malloc:memory"
	"mremap:memory:--mremap-bytes 16m" "stack:memory" "shm:memory"
	"sigsegv:signals" "sigq:signals" "sigsuspend:signals" "kill:signals" "sigpipe:signals"
	"sigfpe:signals" "sigchld:signals" "sigrt:signals"
	"pipe:pipes" "pipeherd:pipes"
	"futex:futexes"
	"timer:timers" "timer@1kHz:timers:--timer-freq 1000" "itimer:timers" "clock:timers" "nanosleep:timers" "timerfd:timers"
	"hdd:files:--hdd-bytes 16m" "open:files" "dir:files" "dentry:files" "rename:files"
	"fstat:files" "lockf:files" "flock:files" "fallocate:files" "link:files" "symlink:files"
	"poll:select/poll" "epoll:select/poll" "eventfd:files" "sem:threads" "msg:ipc" "sockpair:sockets"
)
QUICK_LIST=(
	"fork:processes" "vfork:processes" "pthread:threads" "mmap:memory:--mmap-bytes 16m" "sigsegv:signals"
	"pipe:pipes" "futex:futexes" "timer:timers" "open:files"
)
if [ -n "${QUICK:-}" ]; then
	LIST=("${QUICK_LIST[@]}") SECS=2
else
	LIST=("${FULL[@]}") SECS=5
fi
SUITE=stressng

if ! command -v stress-ng >/dev/null; then
	for s in "${LIST[@]}"; do
		IFS=: read -r label area _ <<<"$s"
		row $SUITE "$label" "$area" "SKIP: stress-ng is not installed (Debian package stress-ng)" SKIP skip
	done
	exit 0
fi

# side SIDE NAME OPTIONS...: one stress-ng run; the log goes to logs/stressng.NAME.SIDE.log.
side() {
	local s=$1 label=$2 name=${2%@*} dir=$RES/scratch/$1
	shift 2
	rm -rf "$dir" && mkdir -p "$dir"
	runner "$s"
	(cd "$dir" && timeout -k 10 $((SECS * 4 + 30)) "${RUN[@]}" stress-ng --"$name" 1 \
		--timeout "${SECS}s" --verify --metrics-brief --temp-path "$dir" "$@" \
		>"$LOGS/$SUITE.$label.$s.log" 2>&1)
}

# outcome LOG STATUS: "exit N, completed|not completed, N fail lines"
outcome() {
	local done=completed fails
	grep -q 'successful run completed' "$1" || done="no successful-run line"
	fails=$(grep -c ' fail: ' "$1" || true)
	echo "$(status_text "$2"), $done, $fails fail lines"
}
bogo() { # bogo LOG NAME: the stressor's bogo-op count
	awk -v n="$2" '$2 == "metrc:" && $4 == n { print $5; exit }' "$1"
}

for s in "${LIST[@]}"; do
	IFS=: read -r label area opts <<<"$s"
	name=${label%@*}
	read -r -a extra <<<"$opts"
	st_n=0 st_k=0 t_n="" t_k=""
	timed t_n side native "$label" "${extra[@]}" || st_n=$?
	native=$(outcome "$LOGS/$SUITE.$label.native.log" $st_n)
	if [ -n "$KVM_SKIP" ]; then
		row $SUITE "$label" "$area" "$native" "SKIP: $KVM_SKIP" skip "$t_n"
		continue
	fi
	timed t_k side kdune "$label" "${extra[@]}" || st_k=$?
	kdune=$(outcome "$LOGS/$SUITE.$label.kdune.log" $st_k)
	verdict=same
	if [ "$native" != "$kdune" ]; then
		verdict=differs
		said=$(grep -E ' (fail|error):' "$LOGS/$SUITE.$label.kdune.log" | head -2 | cut -c 1-160 | tr '\n' ' ' || true)
		difference $SUITE "$label" "(outcome)" "native: $native; kdune: $kdune${said:+; stress-ng under kdune said: $said}"
	fi
	row $SUITE "$label" "$area" "$native, $(bogo "$LOGS/$SUITE.$label.native.log" "$name") bogo ops" \
		"$kdune, $(bogo "$LOGS/$SUITE.$label.kdune.log" "$name") bogo ops" $verdict "$t_n" "$t_k"
done
rm -rf "$RES/scratch"
