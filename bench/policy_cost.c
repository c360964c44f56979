/*
 * policy_cost: what a seccomp policy costs per syscall, both ways kdune could enforce it.
 *
 *   policy_cost [PROFILE.json] [N]
 *
 * 1. kdune's evaluator (engine/policy_eval.c) on the compiled profile, for three calls:
 *    one its rules allow early, one with argument conditions (socket), and a number no
 *    rule names (every rule is looked at, then the default).
 * 2. The same rules as a kernel filter (libseccomp, as a container runtime loads them):
 *    getppid natively without and with the filter, the difference being the filter's cost.
 * Prints "name value" lines, ns per call. Default profile: Podman's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/profile.h"
#include "../tests/seccomp/native.h"

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static double eval_ns(const struct kd_policy *p, long nr, const uint64_t a[6], long n)
{
	volatile uint32_t sink = 0;
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		sink += kd_policy_eval(p, nr, a);
	(void)sink;
	return (now_ns() - t0) / (double)n;
}

static double getppid_ns(long n)
{
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (now_ns() - t0) / (double)n;
}

/* In a child, so the filter does not stay: getppid without, then with the filter. */
static void kernel_cost(const struct kd_policy *p, long n)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		double off = getppid_ns(n);
		if (kd_test_load_native(p))
			_exit(1);
		double on = getppid_ns(n);
		printf("native_getppid_ns %.1f\nnative_getppid_filtered_ns %.1f\n"
		       "kernel_filter_ns %.1f\n",
		       off, on, on - off);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/usr/share/containers/seccomp.json";
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	static char text[4 << 20];
	FILE *f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "policy_cost: %s: cannot open\n", path);
		return 1;
	}
	size_t len = fread(text, 1, sizeof(text), f);
	fclose(f);
	struct kd_profile_env env;
	struct kd_policy *p;
	char err[512];
	kd_profile_env_here(&env);
	if (kd_profile_parse(text, len, &env, &p, err, sizeof(err))) {
		fprintf(stderr, "policy_cost: %s: %s\n", path, err);
		return 1;
	}
	const uint64_t none[6] = {0}, sock[6] = {1, 1, 0};
	printf("rules %u\n", p->nrules);
	printf("eval_first_rule_ns %.1f\n", eval_ns(p, p->nrules ? p->rules[0].nr : 0, none, n));
	printf("eval_socket_ns %.1f\n", eval_ns(p, SYS_socket, sock, n));
	printf("eval_no_rule_ns %.1f\n", eval_ns(p, 1000, none, n));
	kernel_cost(p, n);
	free(p);
	return 0;
}
