/* test_log.c: kdune's messages go to its own copy of the stderr it started with (base/log.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/log.h"

static char *contents(int fd)
{
	static char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/*
 * The target redirects fd 2 after kdune started: kdune's lines still reach the original
 * stderr, and none reach the target's new fd 2.
 */
static void lines_go_to_the_original_stderr(void **state)
{
	int orig = memfd_create("orig-stderr", 0), target = memfd_create("target-fd2", 0);
	int saved = dup(2);
	assert_true(orig >= 0 && target >= 0 && saved >= 0);
	dup2(orig, 2);
	kd_log_init();
	dup2(target, 2); /* what the target does with its fd 2 */
	kd_err("cannot do %s", "that");
	kd_verbose = 1;
	kd_info("backend: %s", "pvm");
	kd_verbose = 0;
	kd_info("not shown without -v");
	dup2(saved, 2);
	char want[128];
	snprintf(want, sizeof(want), "kdune: cannot do that\nkdune[%d]: backend: pvm\n", getpid());
	assert_string_equal(contents(orig), want);
	assert_string_equal(contents(target), "");
	/* The copy is kdune's own: hidden from the target and closed on exec. */
	assert_true(kd_fd_is_ours(kd_log_fd));
	assert_true(fcntl(kd_log_fd, F_GETFD) & FD_CLOEXEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lines_go_to_the_original_stderr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
