/*
 * seccomp_calls: makes the syscalls named on its command line and prints what each gave,
 * the same way natively and under kdune, for the --seccomp integration tests.
 *
 *   seccomp_calls STEP...
 *     NR[:A0[:A1[:A2]]]   syscall NR with those arguments: "NR = ok" or "NR = -1 ENAME"
 *     trap                 from now on a SIGSYS handler prints its siginfo
 *     fork                 the remaining steps run in a child; the parent prints its status
 *     thread               the remaining steps run in a new thread, which is joined
 *     exec                 the remaining steps run in this program executed again
 *     seccomp              the program's own seccomp(SECCOMP_SET_MODE_STRICT) (kdune: EINVAL)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t call_end; /* the address after the last `syscall` instruction */

static long raw(long nr, const uint64_t a[3])
{
	long ret;
	/* Stored before the call: a SIGSYS handler runs while it is in progress. */
	__asm__ volatile("lea 1f(%%rip), %%rcx\n\tmov %%rcx, %1\n\tsyscall\n1:"
			 : "=a"(ret), "=m"(call_end)
			 : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2])
			 : "rcx", "r11", "memory");
	return ret;
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	printf("SIGSYS code %d errno %d syscall %d arch %#x at-call %s\n", si->si_code,
	       si->si_errno, si->si_syscall, si->si_arch,
	       (uint64_t)si->si_call_addr == call_end ? "yes" : "no");
}

static void one(const char *step)
{
	uint64_t a[3] = {0};
	char *end;
	long nr = strtol(step, &end, 0);
	for (int i = 0; i < 3 && *end == ':'; i++)
		a[i] = strtoull(end + 1, &end, 0);
	long r = raw(nr, a);
	if (r < 0 && r > -4096)
		printf("%ld = -1 %s\n", nr, strerrorname_np((int)-r) ?: "?");
	else
		printf("%ld = %s\n", nr, r == nr ? "its own number" : "ok");
	fflush(stdout);
}

static void run(char **steps);

static void *thread_main(void *steps)
{
	run(steps);
	return NULL;
}

static void run(char **steps)
{
	for (; *steps; steps++) {
		if (!strcmp(*steps, "trap")) {
			struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
			sigaction(SIGSYS, &sa, NULL);
		} else if (!strcmp(*steps, "fork")) {
			fflush(stdout);
			pid_t pid = fork();
			if (pid == 0) {
				run(steps + 1);
				exit(0);
			}
			int st;
			waitpid(pid, &st, 0);
			printf("child: %s %d\n", WIFSIGNALED(st) ? "signal" : "exit",
			       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
			return;
		} else if (!strcmp(*steps, "thread")) {
			pthread_t t;
			pthread_create(&t, NULL, thread_main, steps + 1);
			pthread_join(t, NULL);
			printf("joined\n");
			return;
		} else if (!strcmp(*steps, "exec")) {
			fflush(stdout);
			steps[0] = "/proc/self/exe";
			execv("/proc/self/exe", steps);
			printf("exec failed\n");
			return;
		} else if (!strcmp(*steps, "seccomp")) {
			printf("seccomp = %ld\n",
			       syscall(SYS_seccomp, 0, 0, NULL) ? -(long)errno : 0);
		} else {
			one(*steps);
		}
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run(argv + 1);
	printf("end\n");
	return 0;
}
