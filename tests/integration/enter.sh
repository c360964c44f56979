# shellcheck shell=bash
# enter.sh: libkdune's kdune_enter(), sourced by run.sh. The examples check their own
# results; enter_checks (tests/enter/enter_checks.c) has one mode per behaviour.

EXAMPLES=$BUILD_DIR/examples/libkdune
# The examples find kdune (for KDUNE_FOLLOW_EXEC, and kdune-decode next to it) here.
export KDUNE=$KDUNE

# enter_run NAME CMD...: runs CMD natively (it enters the VM itself) into $WORK/t/NAME.
enter_run() {
	local name=$1
	shift
	mkdir -p "$WORK/t/$name"
	xrun "$WORK/t/$name" /dev/null "" "$@"
	ENTER_OUT=$WORK/t/$name.out
	ENTER_ERR=$WORK/t/$name.err
}

# enter_expect NAME PATTERN: passes if the run exited 0 and stdout matches PATTERN.
enter_expect() {
	if [ "$RUN_STATUS" = 0 ] && grep -qE "$2" "$ENTER_OUT"; then
		pass "$1"
	else
		detail "stdout: $(head -c 400 "$ENTER_OUT")" "stderr: $(head -c 400 "$ENTER_ERR")"
		fail "$1" "status $RUN_STATUS, expected 0 and output matching '$2'"
	fi
}

for ex in hello hello-shared clone fork pthread signal vdso; do
	name=libkdune_example_$ex
	if need "$name" real kvm; then
		if ! [ -x "$EXAMPLES/$ex" ]; then
			fail "$name" "example not built: $EXAMPLES/$ex"
			continue
		fi
		enter_run "$name" "$EXAMPLES/$ex"
		enter_expect "$name" "^(hello|clone|fork|pthread|signal|vdso):? "
	fi
done

CHECKS=$PROGS/enter_checks
if need libkdune_syscalls_exit real kvm prog:enter_checks; then
	enter_run libkdune_syscalls_exit "$CHECKS" slowdown
	enter_expect libkdune_syscalls_exit '^ok$'
fi
if need libkdune_libc_threads real kvm prog:enter_checks; then
	enter_run libkdune_libc_threads "$CHECKS" libc_threads
	enter_expect libkdune_libc_threads '^ok$'
	[ "$RUN_STATUS" = 0 ] && [ "$(grep -c '^thread [0-4] sum 1999000$' "$ENTER_OUT")" != 5 ] &&
		fail libkdune_libc_threads_lines "expected 5 'thread N sum 1999000' lines"
fi
if need libkdune_native_threads real kvm prog:enter_checks; then
	enter_run libkdune_native_threads "$CHECKS" native_threads
	enter_expect libkdune_native_threads '^ok$'
fi
if need libkdune_exec_native real kvm prog:enter_checks; then
	enter_run libkdune_exec_native "$CHECKS" exec
	enter_expect libkdune_exec_native "^exec'd program inside: 0$"
fi
if need libkdune_exec_follow real kvm kdune prog:enter_checks; then
	enter_run libkdune_exec_follow env KDUNE_FOLLOW_EXEC=1 "$CHECKS" exec
	enter_expect libkdune_exec_follow "^exec'd program inside: 1$"
fi
# Failures leave the process native, with errno and a reason (no KVM needed for these).
if need libkdune_fails_no_device prog:enter_checks; then
	enter_run libkdune_fails_no_device env KDUNE_KVM_DEVICE=/nonexistent "$CHECKS" fails
	enter_expect libkdune_fails_no_device 'errno ENOENT, reason: kdune_enter: /nonexistent: '
fi
# The reason carries the same advice as kdune's: here, that there is no KVM device at all.
if need libkdune_no_device_advice prog:enter_checks; then
	enter_run libkdune_no_device_advice env KDUNE_KVM_DEVICE=/nonexistent "$CHECKS" fails
	enter_expect libkdune_no_device_advice \
		'reason: kdune_enter: /nonexistent: No such file or directory \(this machine has no KVM device: '
fi
if need libkdune_fails_not_kvm prog:enter_checks; then
	enter_run libkdune_fails_not_kvm env KDUNE_KVM_DEVICE=/dev/null "$CHECKS" fails
	enter_expect libkdune_fails_not_kvm 'errno ENODEV, reason: .*not a usable KVM device'
fi
# The seccomp checks come after the device opens: they need a KVM device to reach them.
for mode in seccomp_errno seccomp_kill; do
	if need "libkdune_$mode" kvm prog:enter_checks; then
		enter_run "libkdune_$mode" "$CHECKS" "$mode"
		enter_expect "libkdune_$mode" 'errno EPERM, reason: .*seccomp'
	fi
done
if need libkdune_static_link real tool:/usr/bin/pkg-config; then
	# A program linked the documented way: build/libkdune.a plus pkg-config --static --libs.
	d=$WORK/t/libkdune_static_link
	mkdir -p "$d"
	libs=$(PKG_CONFIG_PATH=$BUILD_DIR pkg-config --static --libs kdune | sed 's/-lkdune//')
	# shellcheck disable=SC2086
	if ! "${CC:-cc}" -O1 -I"$SRCDIR/include" -o "$d/hello" "$SRCDIR/examples/libkdune/hello.c" \
		"$BUILD_DIR/libkdune.a" $libs 2>"$d/cc.err"; then
		detail "$(head -c 400 "$d/cc.err")"
		fail libkdune_static_link "does not link with libkdune.a and: $libs"
	elif [ -n "$KVM_SKIP" ]; then
		pass libkdune_static_link
	else
		enter_run libkdune_static_link "$d/hello"
		enter_expect libkdune_static_link '^hello from inside a VM'
	fi
fi
