/*
 * enter_checks: kdune_enter()'s behaviour, one mode per check (tests/integration/enter.sh).
 * Each mode prints what it saw and "ok" last, or a "check failed" line and exits 1.
 */
#include <errno.h>
#include <kdune.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__);          \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

static char *self_path;

static void enter_or_die(void)
{
	if (kdune_enter()) {
		fprintf(stderr, "kdune_enter: %s\n", kdune_last_error());
		exit(2);
	}
}

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median over 5 batches of the time one getppid takes. */
static double getppid_ns(int per_batch)
{
	double t[5];
	for (int b = 0; b < 5; b++) {
		double t0 = now_ns();
		for (int i = 0; i < per_batch; i++)
			syscall(SYS_getppid);
		t[b] = (now_ns() - t0) / per_batch;
	}
	qsort(t, 5, sizeof(t[0]), cmp_double);
	return t[2];
}

/* Syscalls leave the VM after entry: counted by kdune, and much slower than native. */
static int slowdown(void)
{
	double native = getppid_ns(20000);
	enter_or_die();
	long n0 = kdune_syscalls();
	for (int i = 0; i < 100; i++)
		syscall(SYS_getppid);
	long n1 = kdune_syscalls();
	double inside = getppid_ns(200);
	printf("getppid: native %.0f ns, inside %.0f ns (%.0fx); 100 calls = %ld exits\n", native,
	       inside, inside / native, n1 - n0 - 1);
	CHECK(n1 - n0 == 101);
	/* A VM exit costs far more than a native syscall on any backend (3x is very safe). */
	CHECK(inside > 3 * native);
	return 0;
}

/* kdune_enter fails (no usable KVM device): the process carries on natively. */
static void *native_thread_ok(void *arg)
{
	*(int *)arg = 1 + kdune_inside();
	return NULL;
}

static int fails(void)
{
	errno = 0;
	int rc = kdune_enter();
	int e = errno;
	printf("kdune_enter = %d, errno %s, reason: %s\n", rc, strerrorname_np(e),
	       kdune_last_error());
	CHECK(rc == -1 && e != 0 && kdune_last_error()[0]);
	CHECK(!kdune_inside() && kdune_syscalls() == -1);
	/* Still a normal native process: libc, heap, threads. */
	int seen = 0;
	pthread_t t;
	char *p = malloc(1 << 16);
	CHECK(p && pthread_create(&t, NULL, native_thread_ok, &seen) == 0);
	CHECK(pthread_join(t, NULL) == 0 && seen == 1);
	free(p);
	return 0;
}

/* A seccomp filter that refuses ioctl (with an error, or by killing): a clear error. */
static int seccomp_refuses(int kill)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	CHECK(f);
	CHECK(seccomp_rule_add(f, kill ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM),
			       SCMP_SYS(ioctl), 0) == 0);
	CHECK(seccomp_load(f) == 0);
	seccomp_release(f);
	int rc = kdune_enter(), e = errno;
	printf("kdune_enter = %d, errno %s, reason: %s\n", rc, strerrorname_np(e),
	       kdune_last_error());
	CHECK(rc == -1 && e == EPERM && strstr(kdune_last_error(), "seccomp"));
	CHECK(!kdune_inside());
	return 0;
}

/* A thread that existed before entry stays native until it enters itself. */
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stage, native_inside = -1, later_inside = -1, handler_inside = -1;
static char *shared_after_entry;

static void usr1(int sig)
{
	(void)sig;
	handler_inside = kdune_inside();
}

static void wait_stage(int s)
{
	pthread_mutex_lock(&m);
	while (stage < s)
		pthread_cond_wait(&cv, &m);
	pthread_mutex_unlock(&m);
}

static void set_stage(int s)
{
	pthread_mutex_lock(&m);
	stage = s;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&m);
}

static void *old_thread(void *arg)
{
	(void)arg;
	wait_stage(1);
	native_inside = kdune_inside();
	set_stage(2);
	wait_stage(3); /* the main thread signalled us meanwhile */
	enter_or_die();
	later_inside = kdune_inside();
	CHECK(!strcmp(shared_after_entry, "from the guest"));
	return NULL;
}

static int native_threads(void)
{
	pthread_t t;
	signal(SIGUSR1, usr1);
	CHECK(pthread_create(&t, NULL, old_thread, NULL) == 0);
	enter_or_die();
	shared_after_entry = strdup("from the guest");
	set_stage(1);
	wait_stage(2);
	CHECK(pthread_kill(t, SIGUSR1) == 0);
	for (int i = 0; i < 1000 && handler_inside < 0; i++)
		usleep(1000);
	set_stage(3);
	CHECK(pthread_join(t, NULL) == 0);
	printf("old thread: native %d, after its own kdune_enter %d; its signal handler ran "
	       "inside %d\n",
	       native_inside, later_inside, handler_inside);
	CHECK(native_inside == 0 && later_inside == 1 && handler_inside == 0);
	return 0;
}

/* printf, malloc and pthreads from several threads at once, inside. */
static void *busy(void *arg)
{
	long id = (long)arg, sum = 0;
	for (int i = 0; i < 2000; i++) {
		char *p = malloc((size_t)(16 + i % 4000));
		CHECK(p);
		snprintf(p, 16, "%d", i);
		sum += atoi(p);
		free(p);
	}
	flockfile(stdout);
	printf("thread %ld sum %ld\n", id, sum);
	funlockfile(stdout);
	return NULL;
}

static int libc_threads(void)
{
	pthread_t t[4];
	enter_or_die();
	for (long i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, busy, (void *)i) == 0);
	busy((void *)4L);
	for (int i = 0; i < 4; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	return 0;
}

/* exec from inside: the new program runs natively, or under kdune with KDUNE_FOLLOW_EXEC=1. */
static int exec_report(void)
{
	enter_or_die();
	fflush(stdout);
	execl(self_path, self_path, "report", (char *)NULL);
	perror("execl");
	return 1;
}

static int report(void)
{
	printf("exec'd program inside: %d\n", kdune_inside());
	return 0;
}

int main(int argc, char **argv)
{
	self_path = argv[0];
	const char *mode = argc > 1 ? argv[1] : "";
	int rc = !strcmp(mode, "slowdown")	   ? slowdown()
		 : !strcmp(mode, "fails")	   ? fails()
		 : !strcmp(mode, "seccomp_errno")  ? seccomp_refuses(0)
		 : !strcmp(mode, "seccomp_kill")   ? seccomp_refuses(1)
		 : !strcmp(mode, "native_threads") ? native_threads()
		 : !strcmp(mode, "libc_threads")   ? libc_threads()
		 : !strcmp(mode, "exec")	   ? exec_report()
		 : !strcmp(mode, "report")	   ? report()
					   : (fprintf(stderr, "unknown mode %s\n", mode), 2);
	if (rc == 0 && strcmp(mode, "report"))
		printf("ok\n");
	return rc;
}
