/* test_oci_log.c: runc-style error lines of kdune's OCI runtime (oci_log.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/oci_log.h"

/* The exact form logrus gives under runc --log-format json (what containerd's shim reads). */
static void test_oci_log_json_line(void **state)
{
	char line[512];
	kd_oci_log_line("json", "kdune create failed: a \"b\"/c\n", 86400, line, sizeof(line));
	assert_string_equal(
	    line, "{\"level\":\"error\",\"msg\":\"kdune create failed: a \\\"b\\\"/c\\n\","
		  "\"time\":\"1970-01-02T00:00:00Z\"}");
}

static void test_oci_log_text_line(void **state)
{
	char line[512];
	kd_oci_log_line(NULL, "x \"y\" \\ z\t\x01", 0, line, sizeof(line));
	assert_string_equal(line, "time=\"1970-01-01T00:00:00Z\" level=error "
				  "msg=\"x \\\"y\\\" \\\\ z\\t\\x01\"");
	kd_oci_log_line("text", "m", 0, line, sizeof(line));
	assert_string_equal(line, "time=\"1970-01-01T00:00:00Z\" level=error msg=\"m\"");
}

/* Appended to the --log file, one line each, the file's earlier lines kept. */
static void test_oci_log_appends_to_file(void **state)
{
	char path[] = "/tmp/kdune-oci-log.XXXXXX", buf[1024] = "";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"level\":\"info\"}\n", 17), 17);
	kd_oci_log_error(path, "json", "first");
	kd_oci_log_error(path, "json", "second");
	assert_true(pread(fd, buf, sizeof(buf) - 1, 0) > 0);
	close(fd);
	unlink(path);
	char *l2 = strchr(buf, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
	assert_memory_equal(l2, "{\"level\":\"error\",\"msg\":\"first\",", 31);
	assert_memory_equal(l3, "{\"level\":\"error\",\"msg\":\"second\",", 32);
	assert_string_equal(strchr(l3, '\n'), "\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_oci_log_json_line),
	    cmocka_unit_test(test_oci_log_text_line),
	    cmocka_unit_test(test_oci_log_appends_to_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
