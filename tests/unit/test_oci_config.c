/* test_oci_config.c: where kdune's OCI runtime takes its lower runtime and kdune options from
 * (oci_config.h): flag, then environment, then the JSON file, then runc. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/oci_config.h"

static char file[] = "/tmp/kdune-oci-conf.XXXXXX";

static void write_file(const char *text)
{
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	int fd = mkstemp(file);
	close(fd);
	unsetenv("KDUNE_LOWER_RUNTIME");
	unsetenv("KDUNE_OPTIONS");
	/* never the machine's own /etc/kdune/runtime.json */
	setenv("KDUNE_RUNTIME_CONFIG", file, 1);
	return 0;
}

static int teardown(void **state)
{
	unlink(file);
	return 0;
}

static const char *opts(const struct kd_oci_config *c)
{
	static char buf[256];
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; c->options && c->options[i]; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "[%s]", c->options[i]);
	return buf;
}

static void test_oci_config_defaults_to_runc(void **state)
{
	struct kd_oci_config c;
	write_file("{}");
	assert_int_equal(kd_oci_config_load(NULL, NULL, &c, NULL, 0), 0);
	assert_string_equal(c.lower, "runc");
	assert_string_equal(opts(&c), "");
	kd_oci_config_free(&c);
}

static void test_oci_config_precedence(void **state)
{
	struct kd_oci_config c;
	write_file("{\"runtime\":\"/usr/bin/crun\",\"options\":[\"--trace=/t\"]}");
	assert_int_equal(kd_oci_config_load(NULL, NULL, &c, NULL, 0), 0);
	assert_string_equal(c.lower, "/usr/bin/crun");
	assert_string_equal(opts(&c), "[--trace=/t]");
	kd_oci_config_free(&c);

	setenv("KDUNE_LOWER_RUNTIME", "env-runc", 1);
	setenv("KDUNE_OPTIONS", "  -v\t--verbose ", 1);
	assert_int_equal(kd_oci_config_load(NULL, NULL, &c, NULL, 0), 0);
	assert_string_equal(c.lower, "env-runc");
	assert_string_equal(opts(&c), "[-v][--verbose]");
	kd_oci_config_free(&c);

	assert_int_equal(kd_oci_config_load("flag-runc", "", &c, NULL, 0), 0);
	assert_string_equal(c.lower, "flag-runc");
	assert_string_equal(opts(&c), "");
	kd_oci_config_free(&c);
	unsetenv("KDUNE_LOWER_RUNTIME");
	unsetenv("KDUNE_OPTIONS");
}

static void test_oci_config_bad_file(void **state)
{
	struct kd_oci_config c;
	char err[256] = "";
	const char *bad[] = {"{\"runtime\":7}",
			     "{\"runtime\":\"\"}",
			     "{\"options\":\"-v\"}",
			     "{\"options\":[1]}",
			     "{",
			     "[]"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		write_file(bad[i]);
		err[0] = 0;
		assert_int_equal(kd_oci_config_load(NULL, NULL, &c, err, sizeof(err)), -1);
		assert_non_null(strstr(err, file));
	}
	/* A file named by KDUNE_RUNTIME_CONFIG must exist. */
	unlink(file);
	assert_int_equal(kd_oci_config_load(NULL, NULL, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_oci_config_defaults_to_runc),
	    cmocka_unit_test(test_oci_config_precedence),
	    cmocka_unit_test(test_oci_config_bad_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
