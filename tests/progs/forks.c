/* forks: 100 forks with exit codes, posix_spawn and vfork+exec, as a program sees them. */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
	int sum = 0, st;
	for (int i = 0; i < 100; i++) {
		pid_t p = fork();
		if (p == 0)
			_exit(i);
		waitpid(p, &st, 0);
		sum += WEXITSTATUS(st);
	}
	printf("forks: sum of exit codes %d\n", sum);
	fflush(stdout);

	pid_t p;
	char *av[] = {"/bin/echo", "spawned", NULL};
	int r = posix_spawn(&p, "/bin/echo", NULL, NULL, av, environ);
	waitpid(p, &st, 0);
	printf("posix_spawn: %d, child status %d\n", r, WEXITSTATUS(st));

	pid_t c = vfork();
	if (c == 0) {
		execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);
		_exit(9);
	}
	waitpid(c, &st, 0);
	printf("vfork+exec: child status %d\n", WEXITSTATUS(st));

	/* A grandchild's exit status travels back through two waits. */
	p = fork();
	if (p == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(21);
		waitpid(g, &st, 0);
		_exit(WEXITSTATUS(st) * 2);
	}
	waitpid(p, &st, 0);
	printf("grandchild: %d\n", WEXITSTATUS(st));
	return 0;
}
