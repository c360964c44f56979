// procs.c: the cost of making processes and threads. Runs natively and under kdune.
//
// Usage: procs fork|thread|spawn N   prints us_per_op for N rounds of:
//   fork    fork(), the child _exit(0)s, the parent waitpid()s
//   thread  pthread_create() of a thread that returns at once, then pthread_join()
//   spawn   posix_spawn() of /bin/true, then waitpid()
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void *nothing(void *arg)
{
	return arg;
}

static int one(const char *what)
{
	int st;
	if (!strcmp(what, "fork")) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		return pid < 0 || waitpid(pid, &st, 0) != pid || st != 0;
	}
	if (!strcmp(what, "thread")) {
		pthread_t t;
		return pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL);
	}
	pid_t pid;
	char *argv[] = {"true", NULL};
	return posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) ||
	       waitpid(pid, &st, 0) != pid || st != 0;
}

int main(int argc, char **argv)
{
	long n = argc == 3 ? atol(argv[2]) : 0;
	if (n < 1 ||
	    (strcmp(argv[1], "fork") && strcmp(argv[1], "thread") && strcmp(argv[1], "spawn"))) {
		fprintf(stderr, "usage: procs fork|thread|spawn N\n");
		return 2;
	}
	if (one(argv[1])) /* warm-up: the first thread, vCPU or page faults */
		return 1;
	double t0 = now_us();
	for (long i = 0; i < n; i++)
		if (one(argv[1])) {
			fprintf(stderr, "procs: %s failed at round %ld\n", argv[1], i);
			return 1;
		}
	printf("us_per_op %.1f\n", (now_us() - t0) / (double)n);
	return 0;
}
