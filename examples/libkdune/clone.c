/* clone: a CLONE_VM child shares the VM and the memory, as it shares them natively. */
#include <kdune.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include "check.h"

static volatile int shared;

static int child(void *arg)
{
	(void)arg;
	shared = kdune_inside() ? 42 : -1;
	return 5;
}

int main(void)
{
	static char stack[256 << 10] __attribute__((aligned(16)));
	int status;
	ENTER();
	pid_t pid = clone(child, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
	CHECK(shared == 42); /* written by the child, inside, into the same memory */
	printf("clone: CLONE_VM child ran inside and wrote %d into shared memory\n", shared);
	return 0;
}
