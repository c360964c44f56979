/* threads.c: pthreads as programs use them; prints what it observes, the same natively. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Workers sum slices of 1..N under a mutex, hand results over with a condvar, keep TLS. */
#define NWORK 8
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long total;
static int done;
static __thread long mine = 1000;
static __thread char tag[32];

static void *work(void *arg)
{
	long id = (long)arg, sum = 0;
	snprintf(tag, sizeof(tag), "worker-%ld", id);
	for (long i = id * 100000 + 1; i <= (id + 1) * 100000; i++)
		sum += i;
	mine += id; /* each thread starts from its own copy of 1000 */
	double f = 0.5;
	for (int i = 0; i < 1000; i++)
		f = f * 1.0001 + id; /* SSE state, per thread */
	pthread_mutex_lock(&mu);
	total += sum;
	done++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return (void *)(mine + (long)(f > 0) + (long)strlen(tag));
}

static int compute(void)
{
	pthread_t t[NWORK];
	for (long i = 0; i < NWORK; i++)
		if (pthread_create(&t[i], NULL, work, (void *)i))
			return 1;
	pthread_mutex_lock(&mu);
	while (done < NWORK)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	long rets = 0;
	for (int i = 0; i < NWORK; i++) {
		void *r;
		pthread_join(t[i], &r);
		rets += (long)r;
	}
	printf("total %ld (expect %ld), returns %ld, main tls %ld\n", total,
	       (long)NWORK * 100000 * (NWORK * 100000 + 1) / 2, rets, mine);
	return 0;
}

static void *nothing(void *arg)
{
	return arg;
}

/* Threads created and joined one after another. */
static int sequential(int n)
{
	long sum = 0;
	for (long i = 0; i < n; i++) {
		pthread_t t;
		void *r;
		int e = pthread_create(&t, NULL, nothing, (void *)i);
		if (e) {
			printf("pthread_create %ld: %s\n", i, strerror(e));
			return 1;
		}
		pthread_join(t, &r);
		sum += (long)r;
	}
	printf("%d threads, sum %ld\n", n, sum);
	return 0;
}

/* A thread forks; the child (only that thread) runs on and exits with a code. */
static void *forker(void *arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		printf("child of a thread: %s\n", getpid() == syscall(SYS_gettid) ? "leader" : "?");
		fflush(stdout);
		_exit(7);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("thread's child exited %d\n", WEXITSTATUS(st));
	return arg;
}

static int fork_in_thread(void)
{
	pthread_t t;
	fflush(stdout);
	pthread_create(&t, NULL, forker, NULL);
	pthread_join(t, NULL);
	return 0;
}

static void *exiter(void *arg)
{
	printf("thread calls exit(%ld)\n", (long)arg);
	fflush(stdout);
	exit((int)(long)arg);
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* exit() from a thread ends the process while other threads block. */
static int exit_in_thread(void)
{
	pthread_t t;
	for (int i = 0; i < 3; i++)
		pthread_create(&t, NULL, sleeper, NULL);
	pthread_create(&t, NULL, exiter, (void *)42);
	for (;;)
		pause();
}

static void *late(void *arg)
{
	usleep(100000);
	printf("thread outlives main\n");
	fflush(stdout);
	return arg;
}

/* The main thread leaves with pthread_exit; the process lives until the last thread. */
static int main_exits_first(void)
{
	pthread_t t;
	pthread_create(&t, NULL, late, NULL);
	pthread_exit(NULL);
}

static void *sleeper_until_unlock(void *arg)
{
	pthread_mutex_lock(&mu);
	pthread_mutex_unlock(&mu);
	return arg;
}

static void *raw_exit_late(void *arg)
{
	usleep(100000);
	syscall(SYS_exit, 7);
	return arg;
}

/* Raw exits: the leader with 5 first, then the last thread with 7 (natively: status 7). */
static int leader_status(void)
{
	pthread_t t;
	pthread_create(&t, NULL, raw_exit_late, NULL);
	syscall(SYS_exit, 5);
	return 1;
}

/* Threads alive at once, until pthread_create refuses: the error must be EAGAIN. */
static int many(int n)
{
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 << 10);
	int made = 0, e = 0;
	pthread_mutex_lock(&mu); /* every thread stays alive until this is unlocked */
	while (made < n && !(e = pthread_create(&t[made], &a, sleeper_until_unlock, NULL)))
		made++;
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	printf("%d threads alive at once, then %s\n", made, e ? strerror(e) : "no error");
	free(t);
	return 0;
}

static volatile int shared_word;

static int vm_child(void *arg)
{
	while (shared_word != 1) /* the parent runs on meanwhile, and says so here */
		usleep(1000);
	shared_word = 2;
	return (int)(long)arg;
}

/* clone(CLONE_VM) without CLONE_VFORK: a child process sharing memory, running alongside. */
static int clone_vm(void)
{
	static char stack[256 << 10];
	pid_t pid = clone(vm_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, (void *)9);
	if (pid < 0)
		return 1;
	shared_word = 1;
	int st;
	waitpid(pid, &st, 0);
	printf("CLONE_VM child exited %d, shared word %d\n", WEXITSTATUS(st), shared_word);
	/* vfork: the child borrows the parent's memory and stack until it exits. */
	pid = vfork();
	if (pid == 0) {
		shared_word = 3;
		_exit(4);
	}
	waitpid(pid, &st, 0);
	printf("vfork child exited %d, shared word %d\n", WEXITSTATUS(st), shared_word);
	return 0;
}

/* posix_spawn of a missing program reports the error; of a real one, its status. */
static int spawn(void)
{
	pid_t pid;
	char *argv[] = {"true", NULL};
	int e = posix_spawn(&pid, "/nonexistent/prog", NULL, NULL, argv, environ);
	printf("posix_spawn missing: %s\n", strerror(e));
	e = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	int st = -1;
	if (!e)
		waitpid(pid, &st, 0);
	printf("posix_spawn /bin/true: %s, status %d\n", strerror(e), st);
	return 0;
}

static int seq_10000(void)
{
	return sequential(10000);
}

static int many_1100(void)
{
	return many(1100);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "compute";
	struct {
		const char *name;
		int (*fn)(void);
	} modes[] = {
	    {"compute", compute},     {"sequential", seq_10000},      {"fork", fork_in_thread},
	    {"exit", exit_in_thread}, {"mainexit", main_exits_first}, {"leader", leader_status},
	    {"many", many_1100},      {"clonevm", clone_vm},	      {"spawn", spawn}};
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, modes[i].name))
			return modes[i].fn();
	fprintf(stderr,
		"usage: threads compute|sequential|fork|exit|mainexit|leader|many|clonevm|spawn\n");
	return 2;
}
