#!/usr/bin/env bash
# CPython's own regression tests (Debian libpython3.11-testsuite), one module at a time,
# natively and under kdune: `python3 -m test --junit-xml FILE MODULE`. Each test case's
# outcome (ok, skipped, failure, error) is compared. See lib.sh for the environment.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

PY=/usr/bin/python3
# module:what it covers[:regrtest options]. The quick list (CI) keeps modules that take seconds under kdune.
# shellcheck disable=SC2054 # "files,directories" is one area
FULL=(
	test_os:os test_posix:posix test_fileio:files test_file:files test_io:files
	test_shutil:directories test_tempfile:files,directories test_glob:directories
	test_pathlib:directories test_stat:files test_fcntl:files
	test_subprocess:subprocess test_popen:subprocess test_wait3:processes test_wait4:processes
	test_fork1:processes test_threading:threads test_thread:threads
	test_threading_local:threads test_threadsignals:threads,signals test_queue:threads
	test_signal:signals test_eintr:signals test_faulthandler:signals
	"test_socket:sockets:--ignore *VSOCK*" "test_socketserver:sockets:-u network" test_select:select/poll
	test_poll:select/poll test_epoll:select/poll test_selectors:select/poll
	test_time:time test_sched:time test_mmap:mmap test_pty:terminals test_openpty:terminals
	test_resource:processes test_pipes:processes test_zlib:memory test_fileinput:files
	test_filecmp:files test_ioctl:files test_posixpath:files test_concurrent_futures:processes,threads
)
QUICK_LIST=(
	test_posix:posix test_fileio:files test_file:files test_stat:files test_fcntl:files
	test_glob:directories test_popen:subprocess test_thread:threads
	test_threading_local:threads test_select:select/poll test_poll:select/poll
	test_mmap:mmap test_time:time test_openpty:terminals
)
if [ -n "${QUICK:-}" ]; then LIST=("${QUICK_LIST[@]}"); else LIST=("${FULL[@]}"); fi
NATIVE_TIMEOUT=600 KDUNE_TIMEOUT=1200
SUITE=cpython

if ! [ -f /usr/lib/python3.11/test/regrtest.py ] || ! [ -x $PY ]; then
	for m in "${LIST[@]}"; do
		IFS=: read -r mod area _ <<<"$m"
		row $SUITE "$mod" "$area" "SKIP: no $PY with Debian's libpython3.11-testsuite" "SKIP" skip
	done
	exit 0
fi

# side SIDE TIMEOUT MODULE [OPTIONS]: one regrtest run in a scratch directory of its own.
side() {
	local dir=$RES/scratch/$1
	rm -rf "$dir" && mkdir -p "$dir"
	runner "$1"
	(cd "$dir" && TMPDIR=$dir HOME=$dir timeout -k 10 "$2" "${RUN[@]}" \
		$PY -m test --junit-xml "$LOGS/$SUITE.$3.$1.xml" "${@:4}" "$3" >"$LOGS/$SUITE.$3.$1.log" 2>&1)
}

result() { # result SIDE MODULE STATUS: the cell text
	local xml=$LOGS/$SUITE.$2.$1.xml why
	why=$(sed -n "s/^$2 skipped -- //p" "$LOGS/$SUITE.$2.$1.log" | head -n 1)
	if [ -n "$why" ]; then
		echo "module skipped: $why; $(status_text "$3")"
	elif [ -s "$xml" ]; then
		echo "$("$HERE/junit.py" summary "$xml"); $(status_text "$3")"
	else
		echo "no results: $(status_text "$3")"
	fi
}

for m in "${LIST[@]}"; do
	IFS=: read -r mod area opts <<<"$m"
	read -r -a extra <<<"$opts"
	rm -f "$LOGS/$SUITE.$mod".*
	st_n=0 st_k=0 t_n="" t_k=""
	timed t_n side native $NATIVE_TIMEOUT "$mod" "${extra[@]}" || st_n=$?
	native=$(result native "$mod" $st_n)
	if [ -n "$KVM_SKIP" ]; then
		row $SUITE "$mod" "$area" "$native" "SKIP: $KVM_SKIP" skip "$t_n"
		continue
	fi
	timed t_k side kdune $KDUNE_TIMEOUT "$mod" "${extra[@]}" || st_k=$?
	kdune=$(result kdune "$mod" $st_k)
	verdict=same
	[[ $native == "module skipped"* && $native == "$kdune" ]] && verdict=skip
	if ! [ -s "$LOGS/$SUITE.$mod.native.xml" ] || ! [ -s "$LOGS/$SUITE.$mod.kdune.xml" ]; then
		[ "$st_n" = "$st_k" ] || { verdict=differs; difference $SUITE "$mod" "(run)" "native $(status_text $st_n), kdune $(status_text $st_k), no test results"; }
	else
		while IFS=$'\t' read -r key what; do
			verdict=differs
			difference $SUITE "$mod" "$key" "$what"
		done < <("$HERE/junit.py" diff "$LOGS/$SUITE.$mod.native.xml" "$LOGS/$SUITE.$mod.kdune.xml")
	fi
	row $SUITE "$mod" "$area" "$native" "$kdune" $verdict "$t_n" "$t_k"
done
rm -rf "$RES/scratch"
