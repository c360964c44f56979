// vfork_alarm.c: reproducer for open item O6 (docs/conformance.md).
//
//   cc -O2 -o vfork_alarm vfork_alarm.c && vfork_alarm
//
// Arms alarm(1) with a handler that sets a flag, then loops on vfork + _exit + waitpid until
// the flag is set. Natively it always ends after about one second.
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_alarm(int sig)
{
	(void)sig;
	stop = 1;
}

int main(void)
{
	long n = 0;
	signal(SIGALRM, on_alarm);
	alarm(1);
	while (!stop) {
		pid_t pid = vfork();
		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			perror("vfork");
			return 1;
		}
		waitpid(pid, NULL, 0);
		n++;
	}
	printf("SIGALRM handled after %s vforks\n", n ? "some" : "no");
	return 0;
}
