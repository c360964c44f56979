/* fork: a child forked inside the VM gets a VM of its own, with a copy of the memory. */
#include <kdune.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

static int value = 1;

int main(void)
{
	int fds[2], status;
	char buf[32] = "";
	ENTER();
	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		value = 2; /* the parent's copy stays 1 */
		char *msg = kdune_inside() ? "child inside" : "child native";
		CHECK(write(fds[1], msg, strlen(msg)) == (ssize_t)strlen(msg));
		_exit(7);
	}
	close(fds[1]);
	CHECK(read(fds[0], buf, sizeof(buf) - 1) > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	CHECK(!strcmp(buf, "child inside"));
	CHECK(value == 1);
	printf("fork: %s, exit status 7, memory copied\n", buf);
	return 0;
}
