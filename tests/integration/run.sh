#!/usr/bin/env bash
# Integration tests: run real programs natively and under kdune and compare the results.
#
#   tests/integration/run.sh BUILD_DIR [REGEX]
#
# BUILD_DIR holds the kdune binary and progs/ (the helper programs built from tests/progs/).
# REGEX (or $KDUNE_TESTS) selects tests by name. Environment:
#   KDUNE_RUNNER  command line used instead of "BUILD_DIR/kdune run --" (e.g. "env" runs
#                 everything natively, to check the harness); tests that need the real kdune
#                 binary are then skipped, and KVM is not required.
#   KDUNE_KEEP=1  keep the scratch directory (its path is printed).
#   KDUNE_EXITLESS=auto|on|off  read by kdune itself (as --exitless): `make integration-exitless`
#                 runs the suite with on. Native runs see it too, in both environments alike.
#   KD_TIMEOUT    seconds allowed for each command (default 120).
# Prints one line per test (PASS name / FAIL name: reason / SKIP name: reason), failure details
# indented below a FAIL line, and last "N passed, N failed, N skipped". Exits 1 if any failed.

# Programs for perl, awk and python are given in single quotes on purpose.
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
SRCDIR=$(cd "$HERE/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"

export LC_ALL=C TZ=UTC
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ulimit -c 0

KDUNE=$BUILD_DIR/kdune
PROGS=$BUILD_DIR/progs
RUNNER_SET=""
if [ -n "${KDUNE_RUNNER:-}" ]; then
	read -r -a RUNNER <<<"$KDUNE_RUNNER"
	RUNNER_SET=1
else
	RUNNER=("$KDUNE" run --)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kdune-it.XXXXXX") || exit 2
cleanup() {
	[ "${KDUNE_KEEP:-}" = 1 ] || rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK/t" "$WORK/in"
IN=$WORK/in

echo "# kdune: ${RUNNER[*]} (exitless: ${KDUNE_EXITLESS:-auto})"

# --- KVM availability -----------------------------------------------------------------------
KVM_SKIP=""
if [ -z "$RUNNER_SET" ]; then
	KVMCHECK=$PROGS/kvmcheck
	if ! [ -x "$KVMCHECK" ]; then
		KVMCHECK=$WORK/kvmcheck
		"${CC:-cc}" -O1 -o "$KVMCHECK" "$SRCDIR/tests/progs/kvmcheck.c" 2>/dev/null || KVMCHECK=""
	fi
	if [ -z "$KVMCHECK" ]; then
		KVM_SKIP="cannot check KVM: kvmcheck is not built and does not compile"
		fail kvmcheck "$KVM_SKIP"
	elif ! kvm_out=$(timeout 30 "$KVMCHECK" 2>&1); then
		KVM_SKIP="KVM not usable: ${kvm_out:-kvmcheck failed}"
	fi
	echo "# KVM: ${KVM_SKIP:-ok}"
fi

# --- Generated inputs (made natively, read by both runs) ------------------------------------
INPUT_ERR=""
gen() { # gen FILE MODE BYTES SEED
	timeout 120 "$PROGS/gendata" "$2" "$3" "$4" >"$IN/$1" || INPUT_ERR="cannot generate input $1"
}
if ! [ -x "$PROGS/gendata" ]; then
	INPUT_ERR="helper program not built: $PROGS/gendata"
else
	gen lines.txt lines 1048576 1
	gen mixed20.bin mixed 20971520 2
	gen data3m.bin mixed 3145728 3
	gen data5m.bin mixed 5242880 4
	timeout 120 gzip -c "$IN/mixed20.bin" >"$IN/mixed20.bin.gz" || INPUT_ERR="gzip failed"
fi
printf 'hello\n' >"$IN/hello.txt"

PYTHON=/usr/bin/python3
PERL=/usr/bin/perl
AWK=$(command -v awk || echo /usr/bin/awk)

# Scripts for the #! tests.
mkdir -p "$IN/scripts"
cat >"$IN/scripts/calc.awk" <<EOF
#!$AWK -f
BEGIN {
	for (i = 0; i < ARGC; i++)
		printf "ARGV[%d]=%s\n", i, ARGV[i]
	for (n = 1; n <= 20000; n++)
		sum += (n * n) % 1009
	printf "sum=%d sqrt2=%.8f\n", sum, sqrt(2)
	exit 3
}
EOF
cat >"$IN/scripts/calc.py" <<'EOF'
#!/usr/bin/python3
import sys
print(sys.argv[1:])
print(sum(x * x for x in range(100000)) % 1000003, sorted({"b": 2, "a": 1}.items()))
sys.exit(4)
EOF
# Builtins only: nothing here may fork (no $(...), no pipes, no external commands).
cat >"$IN/scripts/builtins.sh" <<'EOF'
#!/bin/sh
n=0
for a in "$@"; do
	n=$((n + 1))
	echo "arg $n: $a"
done
i=0 a=0 b=1
while [ $i -lt 50 ]; do
	t=$((a + b))
	a=$b
	b=$t
	i=$((i + 1))
done
echo "fib(50)=$a"
s=hello-kdune-world
echo "prefix ${s%%-*} suffix ${s##*-} length ${#s}"
case "$1" in
first) echo "first argument matched" ;;
*) echo "no match" ;;
esac
printf '%s|%5d|%x\n' str 42 255
echo "to stderr" >&2
exit 5
EOF
chmod 755 "$IN"/scripts/*
copy_sh_script() { cp -- "$IN/scripts/builtins.sh" "$1/"; }

# --- Tests that need only the kdune binary, not KVM -----------------------------------------

if need help real kdune; then
	kd help --help
	if [ "$KD_STATUS" != 0 ]; then
		show_err "$KD_ERR" kdune
		fail help "exit status $KD_STATUS, expected 0"
	elif ! grep -qw run "$KD_OUT"; then
		detail "stdout: $(head -c 300 "$KD_OUT")"
		fail help "--help output on stdout does not mention 'run'"
	else
		pass help
	fi
fi

if need version real kdune; then
	kd version --version
	if [ "$KD_STATUS" != 0 ]; then
		show_err "$KD_ERR" kdune
		fail version "exit status $KD_STATUS, expected 0"
	elif ! grep -q '[0-9]' "$KD_OUT"; then
		fail version "--version printed no version number on stdout"
	else
		pass version
	fi
fi

if need bad_option real kdune; then
	kd bad_option run --no-such-option -- /bin/true
	if [ "$KD_STATUS" = 0 ] || ! [ -s "$KD_ERR" ]; then
		fail bad_option "unknown option: status $KD_STATUS, stderr $(stat -c %s "$KD_ERR") bytes"
	else
		pass bad_option
	fi
fi

if need not_found_127 real kdune; then
	EXACT=1 expect_error not_found_127 127 "kdune: kdune-no-such-command: command not found" \
		run -- kdune-no-such-command && pass not_found_127
fi

if need missing_path_127 real kdune; then
	EXACT=1 expect_error missing_path_127 127 "kdune: ./nope: No such file or directory" \
		run -- ./nope && pass missing_path_127
fi

if need errors_before_kvm real kdune; then
	EXACT=1 expect_error errors_before_kvm 127 "kdune: kdune-no-such-command: command not found" \
		run --kvm-device=/nonexistent -- kdune-no-such-command && pass errors_before_kvm
fi

# noexec_case NAME FILE: kdune must refuse FILE with 126 and one line "kdune: FILE: ...".
noexec_case() {
	if need "$1" real kdune; then
		expect_error "$1" 126 "kdune: $2: " run -- "$2" arg && pass "$1"
	fi
}
mkdir -p "$IN/bad"
TRUE_ELF=$(readlink -f /bin/true)
printf 'hello world\nthis is not a program\n' >"$IN/bad/not_elf"
cp -- "$TRUE_ELF" "$IN/bad/no_x_bit"
head -c 100 "$TRUE_ELF" >"$IN/bad/trunc100"
head -c 2000 "$TRUE_ELF" >"$IN/bad/trunc2000"
cp -- "$TRUE_ELF" "$IN/bad/aarch64"
printf '\267\000' | dd of="$IN/bad/aarch64" bs=1 seek=18 conv=notrunc status=none
printf '' >"$IN/bad/empty"
chmod 755 "$IN"/bad/*
chmod 644 "$IN/bad/no_x_bit"
noexec_case not_elf_126 "$IN/bad/not_elf"
noexec_case no_exec_permission_126 "$IN/bad/no_x_bit"
noexec_case empty_file_126 "$IN/bad/empty"
noexec_case directory_126 "$IN/bad"
noexec_case truncated_elf_100_126 "$IN/bad/trunc100"
noexec_case truncated_elf_2000_126 "$IN/bad/trunc2000"
noexec_case wrong_arch_126 "$IN/bad/aarch64"

if need no_kvm_device_125 real kdune; then
	if expect_error no_kvm_device_125 125 "kdune: " run --kvm-device=/nonexistent -- /bin/true; then
		if [[ $EXPECT_LINE == */nonexistent* ]]; then
			pass no_kvm_device_125
		else
			detail "stderr: $EXPECT_LINE"
			fail no_kvm_device_125 "message does not mention /nonexistent"
		fi
	fi
fi

if need not_kvm_device_125 real kdune; then
	expect_error not_kvm_device_125 125 "kdune: " run --kvm-device=/dev/null -- /bin/true &&
		pass not_kvm_device_125
fi

if need kvm_permission_125 real kdune root tool:/usr/bin/setpriv; then
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	if ! [ -e /dev/kvm ]; then
		skip kvm_permission_125 "/dev/kvm does not exist"
	elif "${NOBODY[@]}" /usr/bin/test -r /dev/kvm -a -w /dev/kvm 2>/dev/null; then
		skip kvm_permission_125 "user nobody can open /dev/kvm (mode $(stat -c %a /dev/kvm))"
	else
		d=$WORK/nobody
		mkdir -p "$d"
		cp -- "$KDUNE" "$d/kdune"
		chmod 755 "$WORK" "$d" "$d/kdune"
		xrun "$d" /dev/null "" "${NOBODY[@]}" "$d/kdune" run -- /bin/true
		line=$(head -n 1 "$d.err")
		if [ "$RUN_STATUS" = 126 ] || [ "$RUN_STATUS" = 127 ]; then
			detail "$(head -n 2 "$d.err")"
			skip kvm_permission_125 "user nobody cannot execute a copy of kdune in $d"
		elif [ "$RUN_STATUS" != 125 ]; then
			show_err "$d.err" kdune
			fail kvm_permission_125 "exit status $RUN_STATUS, expected 125"
		elif ! one_line "$d.err" || [ "${line:0:7}" != "kdune: " ]; then
			show_err "$d.err" kdune
			fail kvm_permission_125 "stderr is not one line starting with 'kdune: '"
		elif ! [[ $line == *kvm* && $line == *group* ]]; then
			detail "stderr: $line"
			fail kvm_permission_125 "message does not mention the kvm group"
		else
			pass kvm_permission_125
		fi
	fi
fi

# --- A command line that explains itself (no KVM needed) -----------------------------------
# Each message names the culprit; status 125 and one line, as every kdune usage error.

if need unknown_option_named real kdune; then
	EXACT=1 expect_error unknown_option_named 125 \
		"kdune: run: unknown option '--frobnicate' (try 'kdune --help')" \
		run --frobnicate -- /bin/true && pass unknown_option_named
fi

if need option_before_run real kdune; then
	EXACT=1 expect_error option_before_run 125 \
		"kdune: '-v' is an option of run, and goes after it: kdune run -v ... (try 'kdune --help')" \
		-v run -- /bin/true && pass option_before_run
fi

if need option_needs_value real kdune; then
	EXACT=1 expect_error option_needs_value 125 \
		"kdune: run: option '--kvm-device' needs a value: --kvm-device=PATH (try 'kdune --help')" \
		run --kvm-device -- /bin/true && pass option_needs_value
fi

# Any option with a value, given as a separate word before "--": the value is missing.
if need option_needs_value_seccomp real kdune; then
	EXACT=1 expect_error option_needs_value_seccomp 125 \
		"kdune: run: option '--seccomp' needs a value: --seccomp=PROFILE (try 'kdune --help')" \
		run --seccomp -- /bin/true && pass option_needs_value_seccomp
fi

# A bad KDUNE_EXITLESS is named as the variable, not as an option nobody typed.
if need exitless_env_named real kdune; then
	KDUNE_EXITLESS=bogus EXACT=1 expect_error exitless_env_named 125 \
		"kdune: KDUNE_EXITLESS=bogus: use auto, on or off" run -- /bin/true &&
		pass exitless_env_named
fi

# A start that fails (here: no KVM device) leaves an existing trace file as it was.
if need trace_file_kept_on_failure real kdune; then
	printf 'earlier trace\n' >"$WORK/kept.txt"
	kd trace_file_kept_on_failure run --trace="$WORK/kept.txt" --kvm-device="$WORK/no-kvm" \
		-- /bin/true
	if [ "$KD_STATUS" != 125 ]; then
		fail trace_file_kept_on_failure "status $KD_STATUS, expected 125"
	elif [ "$(cat "$WORK/kept.txt")" != "earlier trace" ]; then
		fail trace_file_kept_on_failure "the trace file was changed: $(head -c 80 "$WORK/kept.txt")"
	else
		pass trace_file_kept_on_failure
	fi
fi

if need trace_file_hint real kdune; then
	if EXACT=1 expect_error trace_file_hint 125 \
		"kdune: run: '--trace out.txt': a trace file is given as --trace=out.txt (try 'kdune --help')" \
		run --trace out.txt -- /bin/true; then
		if [ -e "$KD_DIR/out.txt" ]; then
			fail trace_file_hint "out.txt was created"
		else
			pass trace_file_hint
		fi
	fi
fi

# The trace file is opened before KVM, so this works (and is tested) without KVM.
if need trace_file_error real kdune; then
	EXACT=1 expect_error trace_file_error 125 \
		"kdune: trace file $WORK/no-dir/t.txt: No such file or directory" \
		run --trace="$WORK/no-dir/t.txt" --kvm-device="$WORK/no-kvm" -- /bin/true &&
		pass trace_file_error
fi

if need trace_set_unknown real kdune; then
	if EXACT=1 expect_error trace_set_unknown 125 \
		"kdune: run: --trace=open,%fil: '%fil' is neither a syscall nor a class such as %file (strace's -e trace= names) (try 'kdune --help')" \
		run --trace=open,%fil -- /bin/true; then
		if [ -e "$KD_DIR/open,%fil" ]; then
			fail trace_set_unknown "a file 'open,%fil' was created"
		else
			pass trace_set_unknown
		fi
	fi
fi

# A set and a file together: the set is taken as one, the file is created (before KVM).
if need trace_set_and_file real kdune; then
	if expect_error trace_set_and_file 125 "kdune: $WORK/no-kvm: " \
		run --trace=%file,read --trace="$WORK/set-and-file.txt" --kvm-device="$WORK/no-kvm" -- /bin/true; then
		if ! [ -e "$WORK/set-and-file.txt" ]; then
			fail trace_set_and_file "the trace file was not created"
		elif [ -n "$(ls -A "$KD_DIR")" ]; then
			fail trace_set_and_file "files made in the working directory: $(ls -A "$KD_DIR")"
		else
			pass trace_set_and_file
		fi
	fi
fi

# A missing device is said plainly, without group advice that cannot help.
if need kvm_missing_said_plainly real kdune; then
	if expect_error kvm_missing_said_plainly 125 "kdune: $WORK/no-kvm: No such file or directory (this machine has no KVM device" \
		run --kvm-device="$WORK/no-kvm" -- /bin/true; then
		if [[ $EXPECT_LINE == *group* ]]; then
			detail "stderr: $EXPECT_LINE"
			fail kvm_missing_said_plainly "the advice mentions a group"
		else
			pass kvm_missing_said_plainly
		fi
	fi
fi

# This machine's own /dev/kvm, as a new user meets it (on a machine without one).
if need kvm_missing_dev_kvm real kdune; then
	if [ -e /dev/kvm ]; then
		skip kvm_missing_dev_kvm "/dev/kvm exists here"
	else
		expect_error kvm_missing_dev_kvm 125 \
			"kdune: /dev/kvm: No such file or directory (this machine has no KVM device" \
			run -- /bin/true && pass kvm_missing_dev_kvm
	fi
fi

# A device the user may not open, owned by root:root with mode 0600 (no kvm group): the
# message says who owns it and its mode, not "add yourself to the kvm group".
if need kvm_permission_owner_mode real kdune root tool:/usr/bin/setpriv; then
	d=$WORK/perm
	mkdir -p "$d"
	cp -- "$KDUNE" "$d/kdune"
	: >"$d/fakekvm"
	chmod 600 "$d/fakekvm"
	chmod 755 "$WORK" "$d" "$d/kdune"
	xrun "$d" /dev/null "" setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		"$d/kdune" run --kvm-device="$d/fakekvm" -- /bin/true
	want="kdune: $d/fakekvm: Permission denied (it is owned by root:root with mode 0600, which does not let this user read and write it: ask its owner for access)"
	if [ "$RUN_STATUS" != 125 ]; then
		show_err "$d.err" kdune
		fail kvm_permission_owner_mode "exit status $RUN_STATUS, expected 125"
	elif [ "$(cat "$d.err")" != "$want" ]; then
		show_err "$d.err" kdune
		fail kvm_permission_owner_mode "stderr is not '$want'"
	else
		pass kvm_permission_owner_mode
	fi
fi

# Every option in cli.c's getopt table is in --help and in kdune(1).
if need help_lists_every_option real kdune; then
	kd help_lists_every_option --help
	missing=""
	man_text=$(sed 's/\\-/-/g' "$SRCDIR/docs/kdune.1")
	for o in $(grep -o '^[[:space:]]*{"[a-z-]*", [a-z_]*argument' "$SRCDIR/src/host/options.c" | cut -d'"' -f2); do
		grep -q -- "--$o" "$KD_OUT" || missing+=" --$o (--help)"
		grep -q -- "--$o" <<<"$man_text" || missing+=" --$o (kdune.1)"
	done
	if [ -z "$(grep -o '^[[:space:]]*{"[a-z-]*", [a-z_]*argument' "$SRCDIR/src/host/options.c")" ]; then
		fail help_lists_every_option "no options found in src/host/options.c"
	elif [ -n "$missing" ]; then
		fail help_lists_every_option "not documented:$missing"
	else
		pass help_lists_every_option
	fi
fi

# Every environment variable kdune or libkdune reads is in kdune(1) or kdune_enter(3).
if need env_documented; then
	missing=""
	vars=$(grep -oh 'getenv("[A-Z_]*")' "$SRCDIR"/src/*/*.c | grep -o '"[A-Z_]*"' | tr -d '"' | sort -u)
	for v in $vars; do
		cat "$SRCDIR/docs/kdune.1" "$SRCDIR/docs/kdune_enter.3" | grep -q "^\.B $v\b" ||
			missing+=" $v"
	done
	if [ -z "$vars" ]; then
		fail env_documented "no getenv calls found under src/"
	elif [ -n "$missing" ]; then
		fail env_documented "not in kdune.1 or kdune_enter.3:$missing"
	else
		pass env_documented
	fi
fi

# Every SEE ALSO page exists: ours, or one man(1) finds on this machine.
if need see_also_pages_exist tool:/usr/bin/man; then
	missing=""
	for page in "$SRCDIR/docs/kdune.1" "$SRCDIR/docs/kdune_enter.3"; do
		refs=$(sed -n '/^\.SH SEE ALSO/,/^\.SH/p' "$page" | sed -n 's/^\.BR \([a-z_0-9]*\) (\([0-9]\)).*/\1.\2/p')
		for r in $refs; do
			name=${r%.*} sec=${r##*.}
			[ -e "$SRCDIR/docs/$name.$sec" ] && continue
			man -w "$sec" "$name" >/dev/null 2>&1 || missing+=" $name($sec) in $(basename "$page")"
		done
	done
	if [ -n "$missing" ]; then
		fail see_also_pages_exist "no such page:$missing"
	else
		pass see_also_pages_exist
	fi
fi

# `make install PREFIX=...` after a plain `make` (a copy of this build, so the build itself
# is left alone): the man links, and a library that finds the kdune it was installed with.
if need install_prefix real kdune tool:/usr/bin/make; then
	b=$WORK/install-build inst=$WORK/inst
	cp -a -- "$BUILD_DIR" "$b"
	if ! (cd "$SRCDIR" && make --no-print-directory -s B="$b" PREFIX="$inst" install) >"$WORK/install.log" 2>&1; then
		detail "$(tail -n 5 "$WORK/install.log")"
		fail install_prefix "make install failed"
	elif ! [ -e "$inst/share/man/man3/dune_enter.3" ] ||
		! man -M "$inst/share/man" -w dune_enter 2>/dev/null | grep -q "^$inst/share/man/man3/"; then
		fail install_prefix "man dune_enter does not find a page in $inst/share/man"
	elif ! grep -q -a "$inst/bin" "$inst/lib/libkdune.a"; then
		fail install_prefix "the installed libkdune.a does not look in $inst/bin (stale PREFIX)"
	else
		# libkdune.so, moved elsewhere, finds ../bin/kdune beside it (the PREFIX copy is
		# gone); without that either, it says which one it wanted.
		cp -a -- "$inst" "$WORK/moved"
		rm -- "$inst/bin/kdune"
		hello=$b/examples/libkdune/hello-shared
		LD_LIBRARY_PATH=$WORK/moved/lib KDUNE_FOLLOW_EXEC=1 KDUNE= timeout 60 "$hello" >/dev/null 2>"$WORK/found.err"
		rm -- "$WORK/moved/bin/kdune"
		LD_LIBRARY_PATH=$WORK/moved/lib KDUNE_FOLLOW_EXEC=1 KDUNE= timeout 60 "$hello" >/dev/null 2>"$WORK/gone.err"
		if grep -q "is not there" "$WORK/found.err"; then
			detail "$(head -n 2 "$WORK/found.err")"
			fail install_prefix "libkdune.so in $WORK/moved/lib did not find $WORK/moved/bin/kdune"
		elif ! grep -q "but $inst/bin/kdune is not there" "$WORK/gone.err"; then
			detail "$(head -n 2 "$WORK/gone.err")"
			fail install_prefix "with no kdune anywhere, kdune_enter did not name $inst/bin/kdune"
		else
			pass install_prefix
		fi
	fi
fi

# --- Programs run natively and under kdune --------------------------------------------------

compare -s 0 true -- /bin/true
compare -s 1 false -- /bin/false
compare -s 0 ls_usr_bin -- ls -la --time-style=+ /usr/bin
compare -s 2 ls_missing -- ls -l /nonexistent-kdune-dir
compare -s 0 -r inputs sort_1m -- sort --parallel=1 "$IN/lines.txt"
compare -s 0 -r inputs sha256sum -- sha256sum "$IN/data5m.bin" "$IN/lines.txt"
compare -s 0 -r inputs gzip_20m -- gzip -c "$IN/mixed20.bin"
compare -s 0 -r inputs -x "$IN/mixed20.bin" gunzip_20m -- gzip -dc "$IN/mixed20.bin.gz"

compare -s 0 -r "tool:$PYTHON" python3 -- "$PYTHON" -c '
import hashlib, json, sys
N = 200000
sieve = bytearray([1]) * N
sieve[0] = sieve[1] = 0
for i in range(2, int(N ** 0.5) + 1):
    if sieve[i]:
        sieve[i * i::i] = bytes(len(range(i * i, N, i)))
primes = [i for i in range(N) if sieve[i]]
print("sum of primes below", N, "=", sum(primes))
doc = {"count": len(primes), "last": primes[-5:], "nested": {"b": [1, 2.5, None, True], "a": "x\u00e9"}}
print(json.dumps(doc, sort_keys=True))
print(hashlib.sha256(b"kdune" * 1000).hexdigest(), hashlib.md5(b"abc").hexdigest())
print(sys.argv[1:], sys.byteorder, sys.maxsize)
' one two

compare -s 0 -r "tool:$PERL" perl -- "$PERL" -e '
use strict;
use warnings;
use List::Util qw(sum max);
use Digest::MD5 qw(md5_hex);
my %h;
$h{$_ % 97} += $_ for 1 .. 100000;
print join(",", map { "$_=$h{$_}" } sort { $a <=> $b } keys %h), "\n";
print sum(map { $_ * $_ } 1 .. 1000), " ", max(3, 9, 4), "\n";
print md5_hex("kdune" x 100), "\n";
printf "%.10f %s\n", atan2(1, 1) * 4, join("|", reverse @ARGV);
' alpha beta

compare -s 0 -r inputs awk -- "$AWK" '
{ words += NF; count[$1]++; if (length($0) > longest) longest = length($0) }
END {
	printf "lines %d words %d longest %d\n", NR, words, longest
	printf "alpha %d zulu %d 42 %d\n", count["alpha"], count["zulu"], count["42"]
	for (i = 1; i <= 100000; i++) s += (i * i) % 7
	printf "%d %.6f %s\n", s, sin(1) + exp(1), toupper("kdune")
}' "$IN/lines.txt"

compare -s 0 -r prog:static_hello -w "env KD_GREETING=hello KD_NUMBER=42" static_hello -- \
	"$PROGS/static_hello" first "second arg" ""
compare -s 0 -r prog:staticpie_hello -w "env KD_GREETING=hi-pie KD_NUMBER=-1" staticpie_hello -- \
	"$PROGS/staticpie_hello" x y z

compare -s 3 shebang_awk -- "$IN/scripts/calc.awk" arg1 "arg 2"
compare -s 4 -r "tool:$PYTHON" shebang_python -- "$IN/scripts/calc.py" p1 p2
compare -s 5 -r tool:/bin/sh -c copy_sh_script shebang_sh_builtins -- ./builtins.sh first "a b" ''

compare -s 0 -r prog:touch_mem touch_mem_256m -- "$PROGS/touch_mem" 256
compare -s 0 -r prog:mmap_test -f mmap_test.dat mmap -- "$PROGS/mmap_test"

compare -s 0 -w "env -i" env_empty -- /usr/bin/env
compare -s 0 -r prog:static_env -w "env -i A=1 B=2" env_custom_static -- "$PROGS/static_env"
compare -s 0 env_inherited -- /usr/bin/env

for n in 0 1 42 255; do
	compare -s $n -r prog:exitcode "exit_$n" -- "$PROGS/exitcode" $n
done
compare -S -s 139 -r prog:nullderef null_deref_sigsegv -- "$PROGS/nullderef"
# Each CPU fault kills both runs with the same signal (128 + N).
compare -S -s 135 -r prog:faults fault_sigbus_past_eof -- "$PROGS/faults" sigbus
compare -S -s 132 -r prog:faults fault_ud2_sigill -- "$PROGS/faults" ud2
compare -S -s 133 -r prog:faults fault_int3_sigtrap -- "$PROGS/faults" int3
compare -S -s 136 -r prog:faults fault_div0_sigfpe -- "$PROGS/faults" div0
compare -S -s 139 -r prog:faults fault_out_sigsegv -- "$PROGS/faults" out
compare -S -s 139 -r prog:faults fault_hlt_sigsegv -- "$PROGS/faults" hlt
compare -S -s 139 -r prog:faults fault_write_readonly_sigsegv -- "$PROGS/faults" rowrite
compare -S -s 139 -r prog:faults fault_prot_none_sigsegv -- "$PROGS/faults" protnone
compare -S -s 139 -r prog:faults fault_after_munmap_sigsegv -- "$PROGS/faults" unmapped
compare -S -s 139 -r prog:faults fault_kernel_half_sigsegv -- "$PROGS/faults" kernel
compare -s 0 -r prog:faults stack_growth_6m -- "$PROGS/faults" stack

# Monitor integrity (issue 15): every attempt to reach memory that is not the program's (kdune's
# own data under kdune, an address nobody maps natively) ends as natively, and kdune lives on;
# the files the program's /proc/self/maps names are its own, not kdune's binary.
compare -s 0 -r prog:escape escape_attempts -- "$PROGS/escape"
compare -s 0 proc_self_maps_files -- /bin/sh -c "$AWK '\$6 ~ /^\\// {print \$6}' /proc/self/maps | sort -u"

# execve (native errno before anything is torn down, argv[0], /proc/self/exe after exec)
compare -s 0 exec_env_i -- /usr/bin/env -i A=1 B=2 /usr/bin/env
compare -s 0 exec_sh_c -- /bin/sh -c 'echo "$0 $1"; exec ls -d /etc' zero one
compare -s 127 exec_enoent -- /usr/bin/env /nonexistent/prog
compare -s 126 exec_eacces -- /usr/bin/env /etc/passwd
compare -s 126 exec_enoexec -- /bin/sh -c 'exec /etc/os-release'
compare -s 0 exec_argv0 -- /usr/bin/perl -e 'exec {"/bin/cat"} "custom-name", "/proc/self/cmdline"'
compare -s 0 exec_proc_self_exe -- /bin/sh -c 'exec readlink /proc/self/exe'
compare -s 0 exec_chain -- /usr/bin/env /usr/bin/env /usr/bin/env /bin/echo three execs
# fork, vfork, posix_spawn, pipelines, subshells, a whole compiler driver
compare -s 0 -r prog:forks fork_100_spawn_vfork -- "$PROGS/forks"
compare -s 0 sh_pipeline -- /bin/sh -c 'ls /usr/bin | sort | wc -l'
compare -s 0 sh_subshells -- /bin/sh -c 'x=$(echo sub | tr a-z A-Z); (cd /etc && echo "$x $(pwd)"); for i in 1 2 3; do echo "$i" | cat; done; false || echo or; wait'
compare -s 3 sh_child_status -- /bin/sh -c '/bin/sh -c "exit 3"; exit $?'
compare -s 0 python_subprocess -- /usr/bin/python3 -c 'import subprocess,os; print(subprocess.run(["/bin/echo","sub"],capture_output=True).stdout, subprocess.call(["/bin/false"]), os.waitpid(os.spawnv(os.P_NOWAIT,"/bin/true",["true"]),0)[1])'
# kdune's own descriptors answer EBADF to every probe (CPython's subprocess finds fds so).
compare -s 0 fds_probe_fstat -- /bin/sh -c 'ulimit -n 64; exec /usr/bin/python3 -c "
import os
ok = []
for fd in range(3, 64):
    try:
        os.fstat(fd)
        ok.append(fd)
    except OSError:
        pass
print(ok)"'
# exec after changing to a user who may not open /dev/kvm (subprocess's user=, su, setpriv).
compare -s 0 -r root -r tool:/usr/bin/setpriv exec_after_setuid -- /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/id -u
# A program that re-executes itself through /proc/self/exe (busybox's shell does, for applets).
compare -s 0 -r tool:/bin/busybox busybox_sh_pipeline -- /bin/busybox sh -c 'echo hi | cat; x=$(echo sub); echo "$x"'
# execveat through a descriptor: close-on-exec or not, a file or a directory plus a name, a script
compare -s 0 -r prog:fexec fexecve_fds -- "$PROGS/fexec"
compare -s 0 exec_self_via_proc -- /usr/bin/python3 -c 'import os,sys; os.execv("/proc/self/exe", ["python3", "-c", "import sys; print(\"again\", sys.argv)"])'
compare -s 0 -f a -f a.o make_gcc -- /bin/sh -c 'printf "#include <stdio.h>\nint main(void){puts(\"built\");return 0;}\n" > a.c && printf "a: a.o\n\tgcc -o a a.o\na.o: a.c\n\tgcc -O2 -c a.c\n" > Makefile && make -s && ./a'
# threads: a vCPU each in the same VM; CLONE_VM children (vfork, posix_spawn) share it
compare -s 0 -r prog:threads threads_compute -- "$PROGS/threads" compute
compare -s 0 -r prog:threads threads_10000_sequential -- "$PROGS/threads" sequential
compare -s 0 -r prog:threads threads_fork_from_thread -- "$PROGS/threads" fork
compare -s 42 -r prog:threads threads_exit_from_thread -- "$PROGS/threads" exit
compare -s 0 -r prog:threads threads_main_exits_first -- "$PROGS/threads" mainexit
compare -s 7 -r prog:threads threads_last_exit_status -- "$PROGS/threads" leader
compare -s 0 -r prog:threads posix_spawn_errors -- "$PROGS/threads" spawn
compare -s 0 -r prog:threads clone_vm_children -- "$PROGS/threads" clonevm
compare -s 0 python_threading -- /usr/bin/python3 -c 'import threading,queue,subprocess
q=queue.Queue(); lock=threading.Lock(); n=[0]; local=threading.local()
def w(i):
    local.v=i
    for _ in range(2000):
        with lock: n[0]+=1
    q.put((i, local.v, subprocess.run(["/bin/echo", str(i)], capture_output=True).stdout.strip()))
ts=[threading.Thread(target=w,args=(i,)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(n[0], sorted(q.get() for _ in range(8)), threading.active_count())'
# signals: handlers run in the guest on native frames
for m in handlers eintr cpuloop faults faultloop editrip overflow waitinfo stopcont fpu waits timerflood \
	vforkalarm tsc; do
	compare -s 0 -r prog:signals "signals_$m" -- "$PROGS/signals" "$m"
done
compare -s 0 python_signal -- /usr/bin/python3 -c 'import signal,os,time
got=[]
signal.signal(signal.SIGUSR1, lambda s,f: got.append("usr1"))
signal.signal(signal.SIGALRM, lambda s,f: got.append("alarm"))
os.kill(os.getpid(), signal.SIGUSR1)
signal.setitimer(signal.ITIMER_REAL, 0.05)
time.sleep(0.5)
try:
    os.kill(os.getpid(), signal.SIGINT); time.sleep(1)
except KeyboardInterrupt:
    got.append("KeyboardInterrupt")
print(got)'
compare -s 0 proc_self_exe -- readlink /proc/self/exe
compare -s 0 proc_self_cmdline -- cat /proc/self/cmdline
compare -s 0 proc_self_comm -- cat /proc/self/comm

compare -s 0 -r prog:clock_loop clock_loop -- "$PROGS/clock_loop"

compare -s 0 -P -i "$IN/hello.txt" stdin_pipe_hello -- cat
compare -s 0 -r inputs -P -i "$IN/data5m.bin" -x "$IN/data5m.bin" stdin_pipe_5m -- cat
compare -s 0 -r inputs -i "$IN/data5m.bin" -x "$IN/data5m.bin" stdin_file_5m -- cat

compare -s 0 -r inputs -f out.bin cp_3m -- cp "$IN/data3m.bin" out.bin
compare -s 0 -r inputs -f out.dd dd_fsync -- dd if="$IN/data3m.bin" of=out.dd bs=256k conv=fsync status=none
compare -s 0 -r inputs -i "$IN/data3m.bin" -f out.tee tee_3m -- tee out.tee

# --- kdune features beyond transparent execution --------------------------------------------

# trace_file_check NAME FILE PATTERN LAST: FILE must have a line matching the ERE PATTERN and
# end with the line LAST (an exit_group) and strace's "+++ exited with N +++" for it.
trace_file_check() {
	if ! [ -s "$2" ]; then
		fail "$1" "trace file $2 is missing or empty"
		return 1
	fi
	if ! grep -Eq -- "$3" "$2"; then
		detail "pattern: $3" "trace (first lines):" "$(head -n 8 "$2")"
		fail "$1" "no trace line matches the expected openat"
		return 1
	fi
	# The last call, then strace's end line for its status: "+++ exited with N +++".
	local end="+++ exited with ${4//[^0-9]/} +++"
	if [ "$(tail -n 2 "$2")" != "$4"$'\n'"$end" ]; then
		detail "last trace lines: $(tail -n 2 "$2" | tr '\n' '|')"
		fail "$1" "trace does not end with '$4' and '$end'"
		return 1
	fi
	return 0
}

if ! [ -r /etc/hostname ]; then
	selected trace_file && skip trace_file "/etc/hostname not readable"
elif need trace_file real kvm kdune; then
	mkdir -p "$WORK/t/trace_file/native"
	xrun "$WORK/t/trace_file/native" /dev/null "" /bin/cat /etc/hostname
	kd trace_file run --trace="$WORK/t/trace_file/trace.txt" -- /bin/cat /etc/hostname
	if [ "$KD_STATUS" != 0 ]; then
		show_err "$KD_ERR" kdune
		fail trace_file "exit status $KD_STATUS, expected 0"
	elif ! diff_files "$WORK/t/trace_file/native.out" "$KD_OUT" stdout; then
		fail trace_file "stdout differs from a native run"
	elif trace_file_check trace_file "$WORK/t/trace_file/trace.txt" \
		'^openat\(AT_FDCWD, "/etc/hostname", O_RDONLY(\|O_CLOEXEC)?\) = 3$' 'exit_group(0) = ?'; then
		pass trace_file
	fi
fi

# execve: the new program runs under kdune too; its syscalls keep arriving in the trace.
if need exec_stays_inside real kvm kdune; then
	mkdir -p "$WORK/t/exec_stays_inside/native"
	xrun "$WORK/t/exec_stays_inside/native" /dev/null "" /usr/bin/env /bin/cat /etc/hostname
	kd exec_stays_inside run --trace="$WORK/t/exec_stays_inside/trace.txt" -- \
		/usr/bin/env /bin/cat /etc/hostname
	tr="$WORK/t/exec_stays_inside/trace.txt"
	if [ "$KD_STATUS" != 0 ]; then
		show_err "$KD_ERR" kdune
		fail exec_stays_inside "exit status $KD_STATUS, expected 0"
	elif ! diff_files "$WORK/t/exec_stays_inside/native.out" "$KD_OUT" stdout; then
		fail exec_stays_inside "stdout differs from a native run"
	elif ! grep -q '^execve("/bin/cat", \["/bin/cat", "/etc/hostname"\], .*) = 0$' "$tr"; then
		fail exec_stays_inside "no execve line for /bin/cat in the trace"
	elif trace_file_check exec_stays_inside "$tr" \
		'^openat\(AT_FDCWD, "/etc/hostname", O_RDONLY(\|O_CLOEXEC)?\) = 3$' 'exit_group(0) = ?'; then
		pass exec_stays_inside
	fi
fi

# Grandchildren that exec stay inside: their syscalls come through kdune's trace.
if need exec_grandchild_inside real kvm kdune; then
	tr="$WORK/t/exec_grandchild_inside.trace"
	mkdir -p "$WORK/t"
	kd exec_grandchild_inside run --trace="$tr" -- /bin/sh -c '/bin/sh -c "/bin/cat /etc/hostname"'
	if [ "$KD_STATUS" != 0 ]; then
		show_err "$KD_ERR" kdune
		fail exec_grandchild_inside "exit status $KD_STATUS, expected 0"
	# Lines carry "[pid N] " once there are children (strace -f's prefix).
	elif [ "$(grep -c '^\(\[pid  *[0-9]*\] \)\?\(vfork() = 0\|clone(.*) = 0\)$' "$tr")" -lt 2 ]; then
		fail exec_grandchild_inside "the trace does not show two generations of children"
	elif ! grep -q '^\(\[pid  *[0-9]*\] \)\?openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3$' "$tr"; then
		fail exec_grandchild_inside "the grandchild's openat is not in the trace"
	else
		pass exec_grandchild_inside
	fi
fi

if need trace_stderr real kvm kdune; then
	kd trace_stderr run --trace -- /bin/true
	if [ "$KD_STATUS" != 0 ]; then
		show_err "$KD_ERR" kdune
		fail trace_stderr "exit status $KD_STATUS, expected 0"
	elif ! grep -qxF 'exit_group(0) = ?' "$KD_ERR"; then
		show_err "$KD_ERR" kdune
		fail trace_stderr "no 'exit_group(0) = ?' line on stderr"
	else
		pass trace_stderr
	fi
fi

if need trace_errno real kvm kdune; then
	kd trace_errno run --trace="$WORK/t/trace_errno/trace.txt" -- /bin/cat /nonexistent-kdune-file
	want_err="/bin/cat: /nonexistent-kdune-file: No such file or directory"
	if [ "$KD_STATUS" != 1 ]; then
		show_err "$KD_ERR" kdune
		fail trace_errno "exit status $KD_STATUS, expected 1"
	elif [ "$(cat "$KD_ERR")" != "$want_err" ]; then
		show_err "$KD_ERR" kdune
		fail trace_errno "stderr is not '$want_err'"
	elif trace_file_check trace_errno "$WORK/t/trace_errno/trace.txt" \
		'^openat\(AT_FDCWD, "/nonexistent-kdune-file", O_RDONLY(\|O_CLOEXEC)?\) = -1 ENOENT \(No such file or directory\)$' \
		'exit_group(1) = ?'; then
		pass trace_errno
	fi
fi

# More threads alive at once than KVM has vCPUs: the clone fails with EAGAIN (said with -v),
# and the program carries on. Peak memory here: ~500 MiB, nearly all KVM's, for 1024 vCPUs.
if need threads_vcpu_limit real kvm kdune prog:threads; then
	kd threads_vcpu_limit run -v -- "$PROGS/threads" many
	max=$(sed -n 's/.*max vCPUs \([0-9]*\);.*/\1/p' "$KD_ERR")
	if [ "$KD_STATUS" != 0 ]; then
		show_err "$KD_ERR" kdune
		fail threads_vcpu_limit "exit status $KD_STATUS, expected 0"
	elif [ -z "$max" ] || [ "$max" -gt 1100 ]; then
		fail threads_vcpu_limit "KVM allows '${max:-?}' vCPUs: cannot reach the limit with 1100 threads"
	elif [ "$(cat "$KD_OUT")" != "$((max - 1)) threads alive at once, then Resource temporarily unavailable" ]; then
		detail "stdout: $(head -c 200 "$KD_OUT")"
		fail threads_vcpu_limit "expected $((max - 1)) threads, then EAGAIN"
	elif ! grep -q 'no vCPU for a new thread.*EAGAIN' "$KD_ERR"; then
		show_err "$KD_ERR" kdune
		fail threads_vcpu_limit "no -v line about the vCPU limit"
	else
		pass threads_vcpu_limit
	fi
fi

# SIGINT from outside: with no handler kdune dies of it (status 130 from a shell); a
# Python target turns it into KeyboardInterrupt. Same as the native runs.
if need sigint_outside real kvm kdune; then
	py='import time
try:
    time.sleep(20)
except KeyboardInterrupt:
    print("KeyboardInterrupt"); raise SystemExit(3)'
	n1=$(timeout --preserve-status -s INT 1 sleep 20; echo $?)
	k1=$(timeout --preserve-status -s INT 1 "$KDUNE" run -- sleep 20; echo $?)
	n2=$(timeout --preserve-status -s INT 2 python3 -c "$py"; echo $?)
	k2=$(timeout --preserve-status -s INT 2 "$KDUNE" run -- python3 -c "$py"; echo $?)
	if [ "$n1" != "$k1" ] || [ "$k1" != 130 ]; then
		fail sigint_outside "sleep: status $k1 under kdune, $n1 natively (expected 130)"
	elif [ "$n2" != "$k2" ]; then
		detail "native: $(echo "$n2" | tr '\n' ' '), kdune: $(echo "$k2" | tr '\n' ' ')"
		fail sigint_outside "python KeyboardInterrupt differs"
	else
		pass sigint_outside
	fi
fi

if need verbose_backend real kvm kdune; then
	kd verbose_backend run -v -- /bin/echo hello verbose
	if [ "$KD_STATUS" != 0 ]; then
		show_err "$KD_ERR" kdune
		fail verbose_backend "exit status $KD_STATUS, expected 0"
	elif [ "$(cat "$KD_OUT")" != "hello verbose" ] || [ "$(wc -c <"$KD_OUT")" != 14 ]; then
		detail "stdout: $(head -c 200 "$KD_OUT")"
		fail verbose_backend "stdout is not 'hello verbose'"
	elif ! grep -q backend "$KD_ERR"; then
		show_err "$KD_ERR" kdune
		fail verbose_backend "no line containing 'backend' on stderr"
	else
		pass verbose_backend
	fi
fi

if need vdso_no_syscall real kvm kdune prog:clock_loop; then
	kd vdso_no_syscall run --trace="$WORK/t/vdso_no_syscall/trace.txt" -- "$PROGS/clock_loop"
	tr=$WORK/t/vdso_no_syscall/trace.txt
	if [ "$KD_STATUS" != 0 ] || [ "$(cat "$KD_OUT")" != ok ]; then
		detail "stdout: $(head -c 200 "$KD_OUT")"
		show_err "$KD_ERR" kdune
		fail vdso_no_syscall "status $KD_STATUS, expected 0 and output 'ok'"
	elif ! [ -s "$tr" ] || ! grep -qxF 'exit_group(0) = ?' "$tr"; then
		fail vdso_no_syscall "trace file missing or without 'exit_group(0) = ?'"
	elif grep -q '^clock_gettime' "$tr"; then
		detail "$(grep -c '^clock_gettime' "$tr") clock_gettime lines, e.g. $(grep -m1 '^clock_gettime' "$tr")"
		fail vdso_no_syscall "clock_gettime was forwarded as a syscall (vDSO not used)"
	elif [ "$KD_MS" -ge 10000 ]; then
		fail vdso_no_syscall "took $KD_MS ms (limit 10000)"
	else
		pass vdso_no_syscall
	fi
fi

# The exitless path (--exitless=on): served calls leave no exit, and the fallbacks hold.
# "on" means off outside PVM; then only the output is checked.
xl_served() { sed -n 's/.*exitless: \([0-9]*\) calls served.*/\1/p' "$1" | tail -1; }
if need exitless_served real kvm kdune prog:getppid_loop; then
	kd exitless_served run --exitless=on -v -- "$PROGS/getppid_loop" 20000
	if [ "$KD_STATUS" != 0 ] || [ "$(cat "$KD_OUT")" != ok ]; then
		show_err "$KD_ERR" kdune
		fail exitless_served "status $KD_STATUS, output $(head -c 100 "$KD_OUT")"
	elif grep -q '^kdune\(\[[0-9]*\]\)\?: exitless: on' "$KD_ERR" && [ "$(xl_served "$KD_ERR")" -lt 10000 ]; then
		show_err "$KD_ERR" kdune
		fail exitless_served "fewer than half of 20000 getppid calls served with no exit"
	else
		pass exitless_served
	fi
fi
if need exitless_one_cpu real kvm kdune prog:getppid_loop; then
	kd exitless_one_cpu run --exitless=on -v -- taskset -c 0 "$PROGS/getppid_loop" 2000
	if [ "$KD_STATUS" != 0 ] || [ "$(cat "$KD_OUT")" != ok ]; then
		show_err "$KD_ERR" kdune
		fail exitless_one_cpu "status $KD_STATUS, output $(head -c 100 "$KD_OUT")"
	elif grep -q '^kdune\(\[[0-9]*\]\)\?: exitless: on' "$KD_ERR" && ! grep -q 'server disabled (one CPU)' "$KD_ERR"; then
		show_err "$KD_ERR" kdune
		fail exitless_one_cpu "a server with one CPU in the affinity mask"
	else
		pass exitless_one_cpu
	fi
fi
if need exitless_idle real kvm kdune; then
	TIMEFORMAT='%U %S'
	cpu=$({ time "$KDUNE" run --exitless=on -- sleep 1 >/dev/null 2>&1; } 2>&1 | tail -1)
	unset TIMEFORMAT
	ms=$(echo "$cpu" | awk '{ printf "%d", ($1 + $2) * 1000 }')
	if [ "${ms:-999}" -ge 50 ]; then
		fail exitless_idle "sleep 1 used $ms ms of CPU (limit 50)"
	else
		pass exitless_idle
	fi
fi
# shellcheck source-path=SCRIPTDIR source=sandbox.sh
. "$HERE/sandbox.sh"

# shellcheck source-path=SCRIPTDIR source=enter.sh
. "$HERE/enter.sh"

[ "${KDUNE_KEEP:-}" = 1 ] && echo "# scratch directory kept: $WORK"
echo "$NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" -eq 0 ]
