/*
 * test_options.c: the meaning of kdune's command-line words (host/options.c), strace's
 * classes (host/trace_classes.c), the /dev/kvm advice (host/kvm_advice.c) and where an
 * installed libkdune finds kdune (host/paths.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kdune.h"
#include "engine/trace.h"
#include "host/kvm_advice.h"
#include "host/options.h"
#include "host/paths.h"

static int has(const struct kd_trace_config *c, long nr)
{
	return (int)(c->set[nr / 64] >> (nr % 64) & 1);
}

static void run_options_by_any_spelling(void **state)
{
	assert_string_equal(kd_run_option("-v"), "verbose");
	assert_string_equal(kd_run_option("--verbose"), "verbose");
	assert_string_equal(kd_run_option("--trace"), "trace");
	assert_string_equal(kd_run_option("--trace=x.txt"), "trace");
	assert_string_equal(kd_run_option("--kvm-device=/dev/kvm"), "kvm-device");
	assert_string_equal(kd_run_option("--trace-summary"), "trace-summary");
	/* Every option getopt knows is one: the options added with --exitless and the sandbox. */
	assert_string_equal(kd_run_option("--seccomp=p.json"), "seccomp");
	assert_string_equal(kd_run_option("--sandbox"), "sandbox");
	assert_string_equal(kd_run_option("--exitless=on"), "exitless");
	assert_string_equal(kd_run_option("-h"), "help");
	assert_null(kd_run_option("-k"));
	assert_null(kd_run_option("--tracex"));
	assert_null(kd_run_option("-vv"));
	assert_null(kd_run_option("run"));
	assert_null(kd_run_option("--frobnicate"));
}

static void trace_arg_set_or_file(void **state)
{
	assert_int_equal(kd_trace_arg_is_set("open,read"), 1);
	assert_int_equal(kd_trace_arg_is_set("%file"), 1);
	assert_int_equal(kd_trace_arg_is_set("!%memory,brk"), 1);
	assert_int_equal(kd_trace_arg_is_set("openat"), 1);
	assert_int_equal(kd_trace_arg_is_set("all"), 1);
	/* Files: a path, or a plain word that is no syscall. */
	assert_int_equal(kd_trace_arg_is_set("./read"), 0);
	assert_int_equal(kd_trace_arg_is_set("out.txt"), 0);
	assert_int_equal(kd_trace_arg_is_set("/tmp/open,read"), 0);
	assert_int_equal(kd_trace_arg_is_set(""), 0);
	/* Meant as a set, with an unknown item. */
	assert_int_equal(kd_trace_arg_is_set("open,bogus"), -1);
	assert_int_equal(kd_trace_arg_is_set("%fil"), -1);
	assert_int_equal(kd_trace_arg_is_set("!"), -1);
}

static void trace_set_names(void **state)
{
	struct kd_trace_config c = {0};
	char err[256];
	assert_int_equal(kd_trace_set_parse("open,read", &c, err, sizeof(err)), 0);
	assert_true(c.filtered);
	assert_true(has(&c, SYS_open) && has(&c, SYS_read));
	assert_false(has(&c, SYS_openat) || has(&c, SYS_write));
}

/* The classes are strace's: spot checks in and out of each, from strace's syscallent.h. */
static void trace_set_classes(void **state)
{
	static const struct {
		const char *cls;
		long in[3], out[2];
	} t[] = {
	    {"%file", {SYS_openat, SYS_execve, SYS_newfstatat}, {SYS_read, SYS_fstat}},
	    {"%desc", {SYS_read, SYS_close, SYS_mmap}, {SYS_stat, SYS_getpid}},
	    {"%process", {SYS_clone, SYS_exit_group, SYS_wait4}, {SYS_getpid, SYS_open}},
	    {"%network", {SYS_connect, SYS_socket, SYS_sendfile}, {SYS_read, SYS_pipe}},
	    {"%net", {SYS_accept4, SYS_recvmsg, SYS_bind}, {SYS_write, SYS_poll}},
	    {"%signal", {SYS_rt_sigaction, SYS_kill, SYS_sigaltstack}, {SYS_alarm, SYS_nanosleep}},
	    {"%memory", {SYS_mmap, SYS_brk, SYS_madvise}, {SYS_read, SYS_shmget}},
	    {"%ipc", {SYS_shmget, SYS_semop, SYS_msgrcv}, {SYS_mmap, SYS_pipe}},
	    {"%creds", {SYS_getuid, SYS_capset, SYS_prctl}, {SYS_getpid, SYS_arch_prctl}},
	    {"%clock", {SYS_clock_gettime, SYS_time, SYS_gettimeofday}, {SYS_nanosleep, SYS_alarm}},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct kd_trace_config c = {0};
		char err[256];
		assert_int_equal(kd_trace_set_parse(t[i].cls, &c, err, sizeof(err)), 0);
		for (int k = 0; k < 3; k++)
			assert_true(has(&c, t[i].in[k]));
		for (int k = 0; k < 2; k++)
			assert_false(has(&c, t[i].out[k]));
	}
}

static void trace_set_negation_and_errors(void **state)
{
	struct kd_trace_config c = {0};
	char err[256];
	assert_int_equal(kd_trace_set_parse("!%memory,getpid", &c, err, sizeof(err)), 0);
	assert_true(has(&c, SYS_read) && has(&c, SYS_openat));
	assert_false(has(&c, SYS_mmap) || has(&c, SYS_brk) || has(&c, SYS_getpid));
	assert_int_equal(kd_trace_set_parse("open,bogus", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "--trace=open,bogus: 'bogus' is neither a syscall nor a class "
				 "such as %file (strace's -e trace= names)");
}

static void trace_configure(void **state)
{
	struct kdune_options o = {.trace_summary = 1, .trace_set = "%file", .trace_time = 2};
	struct kd_trace_config c = {0};
	char err[256];
	assert_int_equal(kd_trace_configure(&o, &c, err, sizeof(err)), 0);
	assert_false(c.lines); /* the summary alone */
	assert_true(c.summary && c.filtered && has(&c, SYS_openat));
	assert_int_equal(c.time, KD_TRACE_TIME_EPOCH);
	/* What the kdune that runs an exec'd program is given again. */
	assert_string_equal(c.again[0], "--trace=%file");
	assert_string_equal(c.again[1], "--trace-time=epoch");
	assert_null(c.again[2]);
}

static void kvm_advice_no_device(void **state)
{
	char out[512];
	kd_kvm_advice_for(ENOENT, NULL, NULL, NULL, out, sizeof(out));
	assert_non_null(strstr(out, "this machine has no KVM device"));
	assert_null(strstr(out, "group"));
}

/* Group kvm owns the device and may use it: then, and only then, the group is named. */
static void kvm_advice_kvm_group(void **state)
{
	struct stat st = {.st_uid = 0, .st_gid = 108, .st_mode = S_IFCHR | 0660};
	char out[512];
	kd_kvm_advice_for(EACCES, &st, "root", "kvm", out, sizeof(out));
	assert_string_equal(out, " (the device belongs to group kvm: sudo usermod -aG kvm $USER, "
				 "then log in again)");
}

static void kvm_advice_owner_and_mode(void **state)
{
	struct stat st = {.st_uid = 0, .st_gid = 0, .st_mode = S_IFCHR | 0600};
	char out[512];
	kd_kvm_advice_for(EACCES, &st, "root", "root", out, sizeof(out));
	assert_string_equal(out, " (it is owned by root:root with mode 0600, which does not let "
				 "this user read and write it: ask its owner for access)");
	/* A kvm group without read-write access is no answer either. */
	st.st_mode = S_IFCHR | 0604;
	kd_kvm_advice_for(EACCES, &st, NULL, "kvm", out, sizeof(out));
	assert_string_equal(out, " (it is owned by 0:kvm with mode 0604, which does not let "
				 "this user read and write it: ask its owner for access)");
}

static void kdune_beside_library(void **state)
{
	char out[64];
	assert_int_equal(kd_kdune_beside_lib("/opt/k/lib/libkdune.so.0", out, sizeof(out)), 0);
	assert_string_equal(out, "/opt/k/lib/../bin/kdune");
	assert_int_equal(kd_kdune_beside_lib("libkdune.so", out, sizeof(out)), -1);
	assert_int_equal(kd_kdune_beside_lib("/a/very/long/directory/name/that/does/not/fit/in/it/"
					     "lib/libkdune.so",
					     out, sizeof(out)),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(run_options_by_any_spelling),
	    cmocka_unit_test(trace_arg_set_or_file),
	    cmocka_unit_test(trace_set_names),
	    cmocka_unit_test(trace_set_classes),
	    cmocka_unit_test(trace_set_negation_and_errors),
	    cmocka_unit_test(trace_configure),
	    cmocka_unit_test(kvm_advice_no_device),
	    cmocka_unit_test(kvm_advice_kvm_group),
	    cmocka_unit_test(kvm_advice_owner_and_mode),
	    cmocka_unit_test(kdune_beside_library),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
