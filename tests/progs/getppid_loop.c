/* getppid_loop.c: N getppid calls (default 20000); prints "ok" if every one answered the
 * parent's pid, for the exitless path's checks in tests/integration/run.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000, bad = 0;
	pid_t want = getppid();
	for (long i = 0; i < n; i++)
		bad += syscall(SYS_getppid) != want;
	puts(bad ? "wrong getppid answers" : "ok");
	return bad != 0;
}
