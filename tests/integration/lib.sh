# shellcheck shell=bash
# lib.sh: harness for tests/integration/run.sh (sourced, bash).
#
# Globals the caller sets before use:
#   KDUNE        path of the kdune binary
#   RUNNER       array: what runs a program "under kdune" (KDUNE run -- , or $KDUNE_RUNNER)
#   RUNNER_SET   non-empty when KDUNE_RUNNER replaced the real kdune
#   PROGS        directory of the helper programs
#   WORK         scratch directory (removed at exit)
#   KVM_SKIP     non-empty reason when KVM is unusable
#   INPUT_ERR    non-empty reason when the generated inputs are missing
#   FILTER       extended regex selecting tests by name (empty: all)

KD_TIMEOUT=${KD_TIMEOUT:-120}
NPASS=0
NFAIL=0
NSKIP=0
NTIMEOUTS=0
DETAIL=""

pass() {
	printf 'PASS %s\n' "$1"
	NPASS=$((NPASS + 1))
}

skip() {
	printf 'SKIP %s: %s\n' "$1" "$2"
	NSKIP=$((NSKIP + 1))
}

# fail NAME REASON: prints DETAIL (if any) indented under the FAIL line, then clears it.
fail() {
	printf 'FAIL %s: %s\n' "$1" "$2"
	if [ -n "$DETAIL" ]; then
		printf '%s\n' "$DETAIL" | head -n 40 | sed 's/^/    /'
	fi
	DETAIL=""
	NFAIL=$((NFAIL + 1))
}

# detail LINE...: adds lines to the explanation printed by the next fail.
detail() {
	local l
	for l in "$@"; do
		DETAIL+="${DETAIL:+$'\n'}$l"
	done
}

# selected NAME: is the test chosen by FILTER?
selected() {
	[ -z "$FILTER" ] || [[ $1 =~ $FILTER ]]
}

# need NAME REQ...: checks what a test needs; prints SKIP/FAIL and returns 1 if it cannot run
# (also returns 1, silently, if the test is not selected). Requirements:
#   kvm        KVM must work (not required with KDUNE_RUNNER)
#   real       needs the real kdune binary (skipped with KDUNE_RUNNER)
#   kdune      the kdune binary must exist (not required with KDUNE_RUNNER)
#   inputs     the generated input files must exist
#   prog:NAME  helper program $PROGS/NAME must be built
#   tool:PATH  host program PATH must exist (skip otherwise)
#   root       must run as root (skip otherwise)
need() {
	local name=$1 r
	shift
	selected "$name" || return 1
	DETAIL=""
	for r in "$@"; do
		case $r in
		real)
			if [ -n "$RUNNER_SET" ]; then
				skip "$name" "KDUNE_RUNNER set"
				return 1
			fi
			;;
		kvm)
			if [ -z "$RUNNER_SET" ] && [ -n "$KVM_SKIP" ]; then
				skip "$name" "$KVM_SKIP"
				return 1
			fi
			;;
		tool:*)
			if ! [ -x "${r#tool:}" ]; then
				skip "$name" "${r#tool:} not available"
				return 1
			fi
			;;
		root)
			if [ "$(id -u)" != 0 ]; then
				skip "$name" "needs root"
				return 1
			fi
			;;
		esac
	done
	for r in "$@"; do
		case $r in
		kdune)
			if [ -z "$RUNNER_SET" ] && ! [ -x "$KDUNE" ]; then
				fail "$name" "kdune binary not found: $KDUNE"
				return 1
			fi
			;;
		inputs)
			if [ -n "$INPUT_ERR" ]; then
				fail "$name" "$INPUT_ERR"
				return 1
			fi
			;;
		prog:*)
			if ! [ -x "$PROGS/${r#prog:}" ]; then
				fail "$name" "helper program not built: $PROGS/${r#prog:}"
				return 1
			fi
			;;
		esac
	done
	return 0
}

# xrun DIR STDIN PIPE CMD...: runs CMD (under timeout) with DIR as its working directory,
# stdin from the file STDIN (through a pipe if PIPE is non-empty), stdout/stderr into
# DIR.out / DIR.err. Sets RUN_STATUS and RUN_MS (wall-clock milliseconds).
xrun() {
	local dir=$1 in=$2 pipe=$3 st t0 t1
	shift 3
	t0=${EPOCHREALTIME/./}
	# The outer 2>/dev/null swallows bash's own "Segmentation fault" job reports.
	{
		if [ -n "$pipe" ]; then
			(cd "$dir" && cat -- "$in" | timeout -k 5 "$KD_TIMEOUT" "$@" >"$dir.out" 2>"$dir.err")
		else
			(cd "$dir" && exec timeout -k 5 "$KD_TIMEOUT" "$@" <"$in" >"$dir.out" 2>"$dir.err")
		fi
		st=$?
	} 2>/dev/null
	t1=${EPOCHREALTIME/./}
	RUN_STATUS=$st
	RUN_MS=$(((t1 - t0) / 1000))
}

# note_timeout STATUS: after the second kdune run that timed out, shorten the per-command
# timeout so that a kdune that hangs everywhere does not keep the suite busy for hours.
note_timeout() {
	[ "$1" = 124 ] || return 0
	NTIMEOUTS=$((NTIMEOUTS + 1))
	if [ "$NTIMEOUTS" -ge 2 ] && [ "$KD_TIMEOUT" -gt 30 ]; then
		KD_TIMEOUT=30
		echo "# kdune timed out $NTIMEOUTS times: per-command timeout lowered to $KD_TIMEOUT s"
	fi
}

# is_text FILE: no NUL byte in its first 64 KiB.
is_text() {
	[ "$(head -c 65536 -- "$1" | tr -d -c '\000' | wc -c)" -eq 0 ]
}

# diff_files A B LABEL: returns 0 if identical, else adds a description to DETAIL, returns 1.
diff_files() {
	local a=$1 b=$2 label=$3
	if ! [ -e "$a" ] || ! [ -e "$b" ]; then
		detail "$label: missing (native: $([ -e "$a" ] && echo present || echo missing)," \
			"  kdune: $([ -e "$b" ] && echo present || echo missing))"
		return 1
	fi
	cmp -s -- "$a" "$b" && return 0
	detail "$label differs: native $(stat -c %s -- "$a") bytes, kdune $(stat -c %s -- "$b") bytes;" \
		"  $(cmp -- "$a" "$b" 2>&1 | head -n 1)"
	if [ "$(stat -c %s -- "$a")" -lt 8000000 ] && [ "$(stat -c %s -- "$b")" -lt 8000000 ] &&
		is_text "$a" && is_text "$b"; then
		local d
		d=$(diff -u --label "native $label" --label "kdune $label" -- "$a" "$b" | head -n 16)
		[ -n "$d" ] && detail "$d"
	fi
	return 1
}

# one_line FILE: exactly one newline-terminated line.
one_line() {
	[ "$(wc -l <"$1")" -eq 1 ] && [ "$(tail -c 1 -- "$1" | od -An -c | tr -d ' ')" = '\n' ]
}

# show_err FILE LABEL: adds the first lines of a stderr capture to DETAIL.
show_err() {
	if [ -s "$1" ]; then
		detail "$2 stderr (first lines):"
		detail "$(head -n 5 -- "$1" | cut -c 1-200 | sed 's/^/  /')"
	fi
}

# status_reason NATIVE KDUNE: a short text for differing statuses.
status_reason() {
	if [ "$2" = 124 ]; then
		echo "kdune run timed out (status 124)"
	else
		echo "exit status differs: native $1, kdune $2"
	fi
}

# compare [OPTIONS] NAME [--] CMD...
#   Runs CMD natively and under kdune (RUNNER), each in a fresh working directory at the same
#   path, and compares exit status, stdout, stderr, the names of the files left in the
#   working directory and the listed output files.
#   -S         do not compare stderr (not deterministic)
#   -i FILE    stdin from FILE (default /dev/null)
#   -P         feed stdin through a pipe instead of a redirection
#   -f FILE    output file (relative to the working directory) to compare; repeatable
#   -w WORDS   words put before the program on both sides, outside kdune ("env -i A=1")
#   -x FILE    stdout must also be byte-identical to FILE
#   -s N       the native run must exit with N (guards against a broken test)
#   -r REQ     extra requirement for need (prog:NAME, tool:PATH, inputs); repeatable
#   -c FUNC    FUNC DIR is called to populate each fresh working directory
compare() {
	local OPTIND=1 opt nostderr="" stdin=/dev/null pipe="" expect_out="" want="" setup=""
	local -a files=() wrap=() reqs=() words=()
	while getopts 'Si:Pf:w:x:s:r:c:' opt; do
		case $opt in
		S) nostderr=1 ;;
		i) stdin=$OPTARG ;;
		P) pipe=1 ;;
		f) files+=("$OPTARG") ;;
		w)
			read -r -a words <<<"$OPTARG"
			wrap+=("${words[@]}")
			;;
		x) expect_out=$OPTARG ;;
		s) want=$OPTARG ;;
		r) reqs+=("$OPTARG") ;;
		c) setup=$OPTARG ;;
		*)
			echo "compare: bad option" >&2
			return 1
			;;
		esac
	done
	shift $((OPTIND - 1))
	local name=$1
	shift
	[ "${1-}" = -- ] && shift
	need "$name" kvm kdune "${reqs[@]}" || return 0

	local t=$WORK/t/$name side ns ks
	rm -rf -- "$t"
	mkdir -p -- "$t"
	for side in native kdune; do
		mkdir -- "$t/run"
		[ -n "$setup" ] && "$setup" "$t/run"
		if [ $side = native ]; then
			xrun "$t/run" "$stdin" "$pipe" "${wrap[@]}" "$@"
			ns=$RUN_STATUS
		else
			xrun "$t/run" "$stdin" "$pipe" "${wrap[@]}" "${RUNNER[@]}" "$@"
			ks=$RUN_STATUS
			note_timeout "$ks"
		fi
		mv -- "$t/run" "$t/$side"
		mv -- "$t/run.out" "$t/$side.out"
		mv -- "$t/run.err" "$t/$side.err"
	done

	if [ -n "$want" ] && [ "$ns" != "$want" ]; then
		detail "native status $ns, expected $want (the test itself is broken?)"
		show_err "$t/native.err" native
		fail "$name" "native run exited $ns, expected $want"
		return 0
	fi

	local reason=""
	if [ "$ns" != "$ks" ]; then
		reason=$(status_reason "$ns" "$ks")
	fi
	diff_files "$t/native.out" "$t/kdune.out" stdout || reason=${reason:-stdout differs}
	if [ -z "$nostderr" ]; then
		diff_files "$t/native.err" "$t/kdune.err" stderr || reason=${reason:-stderr differs}
	fi
	local f
	for f in "${files[@]}"; do
		diff_files "$t/native/$f" "$t/kdune/$f" "file $f" || reason=${reason:-output file $f differs}
	done
	if [ -z "$reason" ] && [ -n "$expect_out" ]; then
		if ! cmp -s -- "$expect_out" "$t/kdune.out"; then
			detail "stdout is not identical to $expect_out"
			reason="stdout differs from the expected content"
		fi
	fi
	local ln lk
	ln=$(cd "$t/native" && find . -mindepth 1 | LC_ALL=C sort)
	lk=$(cd "$t/kdune" && find . -mindepth 1 | LC_ALL=C sort)
	if [ "$ln" != "$lk" ]; then
		detail "files left in the working directory differ:" \
			"$(diff <(echo "$ln") <(echo "$lk") | head -n 10)"
		reason=${reason:-working directory contents differ}
	fi

	if [ -z "$reason" ]; then
		pass "$name"
	else
		detail "statuses: native $ns, kdune $ks"
		[ -n "$nostderr" ] && show_err "$t/kdune.err" kdune
		[ -z "$nostderr" ] && [ "$ns" != "$ks" ] && show_err "$t/kdune.err" kdune
		fail "$name" "$reason"
	fi
	return 0
}

# kd NAME [-i FILE] [--] ARGS...: runs "$KDUNE ARGS..." in a fresh working directory
# $WORK/t/NAME/kd (stdin from FILE or /dev/null). Sets KD_STATUS, KD_OUT, KD_ERR, KD_DIR,
# KD_MS.
kd() {
	local name=$1 in=/dev/null
	shift
	if [ "${1-}" = -i ]; then
		in=$2
		shift 2
	fi
	[ "${1-}" = -- ] && shift
	KD_DIR=$WORK/t/$name/kd
	rm -rf -- "$KD_DIR"
	mkdir -p -- "$KD_DIR"
	xrun "$KD_DIR" "$in" "" "$KDUNE" "$@"
	KD_STATUS=$RUN_STATUS
	# shellcheck disable=SC2034 # used by run.sh
	KD_MS=$RUN_MS
	note_timeout "$KD_STATUS"
	KD_OUT=$KD_DIR.out
	KD_ERR=$KD_DIR.err
}

# expect_error NAME STATUS PREFIX [--] ARGS...: kdune ARGS must exit with STATUS, print nothing
# on stdout and exactly one line on stderr starting with PREFIX.
# With EXACT=1 in the environment, the line must equal PREFIX.
expect_error() {
	local name=$1 want=$2 prefix=$3 line
	shift 3
	[ "${1-}" = -- ] && shift
	kd "$name" "$@"
	line=$(head -n 1 -- "$KD_ERR")
	local reason=""
	if [ "$KD_STATUS" = 124 ]; then
		reason="kdune timed out (status 124)"
	elif [ "$KD_STATUS" != "$want" ]; then
		reason="exit status $KD_STATUS, expected $want"
	elif ! one_line "$KD_ERR"; then
		reason="stderr is not exactly one line ($(wc -l <"$KD_ERR") newlines, $(stat -c %s -- "$KD_ERR") bytes)"
	elif [ "${EXACT-}" = 1 ] && [ "$line" != "$prefix" ]; then
		reason="stderr line is not '$prefix'"
	elif [ "${line:0:${#prefix}}" != "$prefix" ]; then
		reason="stderr line does not start with '$prefix'"
	elif [ -s "$KD_OUT" ]; then
		reason="unexpected output on stdout"
	fi
	if [ -z "$reason" ]; then
		# shellcheck disable=SC2034 # used by run.sh
		EXPECT_LINE=$line
		return 0
	fi
	detail "command: kdune $*" "status: $KD_STATUS"
	show_err "$KD_ERR" kdune
	fail "$name" "$reason"
	return 1
}
