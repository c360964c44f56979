/* test_oci_args.c: runc command lines as kdune's OCI runtime reads them (oci_args.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "host/oci_args.h"

#define ARGV(...) ((char *[]){"kdune-runtime", __VA_ARGS__, NULL})

/* a's args from index 1, space-separated (args[0] is the lower runtime's, unset here). */
static const char *joined(const struct kd_oci_argv *a)
{
	static char buf[1024];
	size_t n = 0;
	buf[0] = 0;
	for (int i = 1; i < a->argc; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i > 1 ? " " : "", a->args[i]);
	assert_null(a->args[a->argc]);
	return buf;
}

static int count(char **argv)
{
	int n = 0;
	while (argv[n])
		n++;
	return n;
}

static void parse_ok(char **argv, struct kd_oci_argv *a)
{
	char err[256] = "";
	if (kd_oci_parse_argv(count(argv), argv, a, err, sizeof(err)))
		fail_msg("%s", err);
}

static void test_oci_args_create_globals_and_bundle(void **state)
{
	char **v = ARGV("--root", "/run/r", "--log=/l.json", "--log-format", "json",
			"--systemd-cgroup", "create", "--bundle", "/b", "--pid-file", "/p", "c1");
	struct kd_oci_argv a;
	parse_ok(v, &a);
	assert_int_equal(a.kind, KD_OCI_CREATE);
	assert_string_equal(a.root, "/run/r");
	assert_string_equal(a.log, "/l.json");
	assert_string_equal(a.log_format, "json");
	assert_string_equal(a.command, "create");
	assert_string_equal(a.bundle, "/b");
	assert_string_equal(a.id, "c1");
	/* passed through exactly */
	assert_string_equal(joined(&a), "--root /run/r --log=/l.json --log-format json "
					"--systemd-cgroup create --bundle /b --pid-file /p c1");
	kd_oci_argv_free(&a);
}

/* -b, -b=, -bundle and flags after the id (urfave/cli reorders them) all name the bundle. */
static void test_oci_args_bundle_forms(void **state)
{
	struct kd_oci_argv a;
	char **v1 = ARGV("run", "-b", "/b1", "-d", "c");
	char **v2 = ARGV("create", "c", "-b=/b2");
	char **v3 = ARGV("create", "--console-socket", "-b", "-bundle", "/b3", "c");
	char **v4 = ARGV("run", "c");
	parse_ok(v1, &a);
	assert_string_equal(a.bundle, "/b1");
	assert_string_equal(a.id, "c");
	kd_oci_argv_free(&a);
	parse_ok(v2, &a);
	assert_string_equal(a.bundle, "/b2");
	assert_string_equal(a.id, "c");
	kd_oci_argv_free(&a);
	parse_ok(v3, &a); /* "-b" is the console socket's value here */
	assert_string_equal(a.bundle, "/b3");
	assert_string_equal(a.id, "c");
	kd_oci_argv_free(&a);
	parse_ok(v4, &a);
	assert_int_equal(a.kind, KD_OCI_CREATE);
	assert_null(a.bundle);
	kd_oci_argv_free(&a);
}

/* The runtime's own flags are taken out, wherever they are among the global flags. */
static void test_oci_args_own_flags_removed(void **state)
{
	char **v = ARGV("--kdune-runtime=/usr/bin/crun", "--root", "/r", "--kdune-options",
			"-v --trace", "exec", "-e", "A=1", "--cwd", "/", "-t", "c", "ls", "-l");
	struct kd_oci_argv a;
	parse_ok(v, &a);
	assert_string_equal(a.lower, "/usr/bin/crun");
	assert_string_equal(a.options, "-v --trace");
	assert_string_equal(joined(&a), "--root /r exec -e A=1 --cwd / -t c ls -l");
	assert_int_equal(a.kind, KD_OCI_EXEC);
	assert_string_equal(a.id, "c");
	assert_null(a.process);
	assert_int_equal(a.exec_cmd, 10);
	assert_string_equal(a.args[a.exec_cmd], "ls");
	kd_oci_argv_free(&a);
}

static void test_oci_args_exec_forms(void **state)
{
	struct kd_oci_argv a;
	char **v1 = ARGV("exec", "--process", "/tmp/p.json", "-d", "--pid-file", "/p", "c");
	char **v2 = ARGV("exec", "-p=/tmp/q.json", "c");
	char **v3 = ARGV("exec", "c");
	char **v4 = ARGV("exec", "-u", "1000", "c", "sh", "-p", "x");
	parse_ok(v1, &a);
	assert_string_equal(a.process, "/tmp/p.json");
	assert_string_equal(a.id, "c");
	assert_int_equal(a.exec_cmd, -1);
	kd_oci_argv_free(&a);
	parse_ok(v2, &a);
	assert_string_equal(a.process, "/tmp/q.json");
	kd_oci_argv_free(&a);
	parse_ok(v3, &a);
	assert_int_equal(a.exec_cmd, -1);
	kd_oci_argv_free(&a);
	parse_ok(v4, &a); /* the command's own -p is not runc's */
	assert_null(a.process);
	assert_string_equal(a.args[a.exec_cmd], "sh");
	kd_oci_argv_free(&a);
}

static void test_oci_args_insert_prefix(void **state)
{
	char **v = ARGV("--kdune-options=-v", "exec", "c", "ls");
	char *prefix[] = {"/.kdune/kdune", "run", "--"};
	struct kd_oci_argv a;
	parse_ok(v, &a);
	assert_int_equal(kd_oci_argv_insert(&a, a.exec_cmd, prefix, 3), 0);
	assert_string_equal(joined(&a), "exec c /.kdune/kdune run -- ls");
	kd_oci_argv_free(&a);
}

static void test_oci_args_other_commands_pass_through(void **state)
{
	const char *cmds[] = {"start", "state",	 "kill",   "delete",   "ps",
			      "pause", "resume", "update", "features", "checkpoint",
			      "list",  "spec",	 "events"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
		char *v[] = {"kdune-runtime", "--debug", (char *)cmds[i], "c", "-b", "x", NULL};
		struct kd_oci_argv a;
		parse_ok(v, &a);
		assert_int_equal(a.kind, KD_OCI_OTHER);
		assert_null(a.bundle);
		assert_string_equal(a.command, cmds[i]);
		kd_oci_argv_free(&a);
	}
	char **none = ARGV("--version");
	struct kd_oci_argv a;
	parse_ok(none, &a);
	assert_null(a.command);
	assert_string_equal(joined(&a), "--version");
	kd_oci_argv_free(&a);
}

static void test_oci_args_missing_value(void **state)
{
	char err[256] = "";
	struct kd_oci_argv a;
	char **v1 = ARGV("--kdune-runtime");
	char **v2 = ARGV("--log", "/l", "--root");
	assert_int_equal(kd_oci_parse_argv(count(v1), v1, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "flag needs an argument: --kdune-runtime");
	assert_int_equal(kd_oci_parse_argv(count(v2), v2, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "flag needs an argument: --root");
	assert_string_equal(a.log, "/l"); /* still known, so the error goes there */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_oci_args_create_globals_and_bundle),
	    cmocka_unit_test(test_oci_args_bundle_forms),
	    cmocka_unit_test(test_oci_args_own_flags_removed),
	    cmocka_unit_test(test_oci_args_exec_forms),
	    cmocka_unit_test(test_oci_args_insert_prefix),
	    cmocka_unit_test(test_oci_args_other_commands_pass_through),
	    cmocka_unit_test(test_oci_args_missing_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
