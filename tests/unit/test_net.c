/* test_net.c: kd_net_none puts the process in a new, empty network namespace. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/net.h"

static ino_t netns(void)
{
	struct stat st;
	return stat("/proc/self/ns/net", &st) ? 0 : st.st_ino;
}

/* What the child found, as an exit code: 0 all as expected, else which check failed. */
static int child_checks(ino_t before, uid_t uid)
{
	char err[256] = "";
	if (kd_net_none(err, sizeof(err))) {
		fprintf(stderr, "kd_net_none: %s\n", err);
		return 10;
	}
	if (netns() == before)
		return 11;
	if (getuid() != uid) /* the ids stay what they were, user namespace or not */
		return 12;
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	if (syscall(SYS_capget, &h, d) || (uid != 0 && (d[0].effective || d[1].effective)))
		return 16; /* and so do the capabilities: none for a plain user */
	struct if_nameindex *ifs = if_nameindex();
	int only_lo = ifs && ifs[0].if_name && !strcmp(ifs[0].if_name, "lo") && !ifs[1].if_name;
	if_freenameindex(ifs);
	if (!only_lo)
		return 13;
	/* Loopback is down, as in any new namespace: nothing to reach, not even 127.0.0.1. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) == 0 || errno != ENETUNREACH)
		return 14;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 15;
	return 0;
}

static void run_child(uid_t as)
{
	ino_t before = netns();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (as != getuid() && (setgid(as) || setuid(as)))
			_exit(20);
		/* As a user who started kdune is (setuid from root made this one undumpable,
		 * which makes /proc/self/uid_map root's). */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		_exit(child_checks(before, as));
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(netns(), before); /* the parent's stays */
}

static void test_net_none_empty_namespace(void **state)
{
	run_child(getuid());
}

/* Without CAP_SYS_ADMIN: through a user namespace that keeps the ids. */
static void test_net_none_unprivileged(void **state)
{
	if (getuid() != 0) {
		run_child(getuid());
		return;
	}
	FILE *f = fopen("/proc/sys/user/max_user_namespaces", "r");
	int max = 0;
	if (f) {
		if (fscanf(f, "%d", &max) != 1)
			max = 0;
		fclose(f);
	}
	if (max <= 0)
		skip();
	run_child(4242); /* not the overflow id 65534 an unmapped uid shows as */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_net_none_empty_namespace),
	    cmocka_unit_test(test_net_none_unprivileged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
