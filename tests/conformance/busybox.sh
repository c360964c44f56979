#!/usr/bin/env bash
# busybox's applets (Debian busybox-static) driven by our own cases (busybox-cases.sh),
# natively and under kdune, in fresh copies of one fixture directory at the same path.
# Compared: stdout, stderr, exit status and the files left behind. See lib.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

SUITE=busybox
BUSYBOX=/bin/busybox
BB=$RES/bb     # one symlink per applet, the only directory on PATH
FIX=$RES/fixture
W=$RES/w       # where each case runs
AREA=""
area() { AREA=$1; }

# shellcheck disable=SC2317 # t and s are called from busybox-cases.sh
if ! [ -x $BUSYBOX ] || ! $BUSYBOX --list >/dev/null 2>&1; then
	t() { row $SUITE "$1" "$AREA" "SKIP: no $BUSYBOX (Debian package busybox-static)" SKIP skip; }
	s() { t "$@"; }
	# shellcheck source=busybox-cases.sh
	. "$HERE/busybox-cases.sh"
	exit 0
fi

mkdir -p "$BB"
for a in $($BUSYBOX --list); do ln -sf $BUSYBOX "$BB/$a"; done

make_fixture() {
	rm -rf "$FIX" && mkdir -p "$FIX/dir/sub" && cd "$FIX"
	awk 'BEGIN { for (i = 1; i <= 200; i++) printf "line %d %s\n", i, substr("abcdefghijklmnopqrstuvwxyz", i % 26 + 1, i % 7 + 1) }' >lines.txt
	printf '%s\n' 10 -3 2.5 100 7 0 42 1e3 -17 8 >nums.txt
	printf '%s\n' apple apple banana cherry cherry cherry date elder fig fig grape >words.txt
	printf '%s\n' alpha beta delta gamma omega >a.txt
	printf '%s\n' alpha beta epsilon gamma zeta >b.txt
	printf '%s\n' root:x:0:0 daemon:x:1:1 bin:x:2:2 nobody:x:65534:65534 user:x:1000:1000 >passwd.txt
	printf 'one\ttab\r\ntwo\t\ttabs\r\n' >crlf.txt
	head -c 65536 /dev/urandom >data.bin
	printf 'a needle here\n' >dir/y.txt
	printf 'no\nneedle\n' >dir/sub/x.txt
	ln -s y.txt dir/link
	printf '#!/bin/sh\necho run-parts script\n' >dir/sub/run.sh
	chmod 755 dir/sub/run.sh
	tar -czf tree.tar.gz dir
	diff -u a.txt b.txt >ab.patch || true
	find . -exec touch -h -d '2024-01-02 03:04:05' {} +
}

# state DIR: what is in DIR after a case (no times or inode numbers).
state() {
	(cd "$1" && find . -printf '%p %y %s %m %l\n' | sort && find . -type f -exec md5sum {} + | sort -k 2)
}

# side SIDE CMD...: CMD in a fresh copy of the fixture; results in $RES/out.SIDE.*
side() {
	local s=$1 st=0
	shift
	rm -rf "$W" && cp -a "$FIX" "$W"
	runner "$s"
	# The outer 2>/dev/null swallows bash's own "Killed" reports.
	{ (cd "$W" && PATH=$BB HOME=$W timeout -k 5 60 "${RUN[@]}" "$@" <lines.txt \
		>"$RES/out.$s.stdout" 2>"$RES/out.$s.stderr") || st=$?; } 2>/dev/null
	echo "$st" >"$RES/out.$s.status"
	state "$W" >"$RES/out.$s.files"
}

# firstdiff WHAT: the first differing lines of native and kdune's WHAT (stdout, stderr).
firstdiff() {
	diff "$RES/out.native.$1" "$RES/out.kdune.$1" | grep '^[<>]' | head -n 2 | tr '\n' ' ' || true
}

# run_case NAME CMD...
run_case() {
	local name=$1 st_n st_k what="" f t_n t_k
	shift
	timed t_n side native "$@"
	st_n=$(cat "$RES/out.native.status")
	if [ -n "$KVM_SKIP" ]; then
		row $SUITE "$name" "$AREA" "$(status_text "$st_n")" "SKIP: $KVM_SKIP" skip
		return
	fi
	timed t_k side kdune "$@"
	st_k=$(cat "$RES/out.kdune.status")
	for f in status stdout stderr files; do
		if ! cmp -s "$RES/out.native.$f" "$RES/out.kdune.$f"; then
			what+="${what:+, }$f"
			{
				echo "== $name: $f differs: $*"
				diff -u "$RES/out.native.$f" "$RES/out.kdune.$f" | head -n 30 || true
			} >>"$LOGS/busybox.diffs.log"
		fi
	done
	local out
	out="$(status_text "$st_n"), $(wc -l <"$RES/out.native.stdout") lines"
	if [ -z "$what" ]; then
		row $SUITE "$name" "$AREA" "$out" "same" same "$t_n" "$t_k"
	else
		difference $SUITE "$name" "(output)" "$what differ: native $(status_text "$st_n"), kdune $(status_text "$st_k"); $(firstdiff stdout) $(firstdiff stderr)"
		row $SUITE "$name" "$AREA" "$out" "$(status_text "$st_k"), $(wc -l <"$RES/out.kdune.stdout") lines; differs in $what" differs "$t_n" "$t_k"
	fi
}

t() {
	if [ -e "$BB/$2" ]; then
		run_case "$1" "$BB/$2" "${@:3}"
	else
		row $SUITE "$1" "$AREA" "SKIP: this busybox has no applet $2" SKIP skip
	fi
}
s() { run_case "$1" "$BB/sh" -c "$2"; }

make_fixture
: >"$LOGS/busybox.diffs.log"
# shellcheck source=busybox-cases.sh
. "$HERE/busybox-cases.sh"
rm -rf "$W" "$RES"/out.*
