/* fexec.c: execveat through a descriptor (fexecve), as a program observes it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* A child makes the call; what it prints and its status come back. */
static void attempt(const char *what, int dirfd, const char *name, int flags)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"fexec", "child", (char *)what, NULL};
		syscall(SYS_execveat, dirfd, name, argv, environ, flags);
		printf("%s: %s\n", what, strerrorname_np(errno));
		_exit(1);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("%s: status %d\n", what, WEXITSTATUS(st));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "child")) {
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = 0;
		printf("  ran %s, /proc/self/exe names a file: %s\n", argv[2],
		       n > 0 && exe[0] == '/' && !strstr(exe, "/fd/") ? "yes" : "no");
		return 0;
	}
	char self[4096], dir[4096], script[] = "/tmp/kdune-fexec-XXXXXX";
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	strcpy(dir, self);
	*strrchr(dir, '/') = 0;
	int fd = open(self, O_RDONLY | O_CLOEXEC);
	attempt("close-on-exec fd", fd, "", AT_EMPTY_PATH);
	fcntl(fd, F_SETFD, 0);
	attempt("inheritable fd", fd, "", AT_EMPTY_PATH);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	attempt("close-on-exec dirfd + name", dfd, strrchr(self, '/') + 1, 0);
	int sfd = mkstemp(script);
	dprintf(sfd, "#!/bin/sh\necho \"  script ran\"\n");
	fchmod(sfd, 0755);
	close(sfd);
	sfd = open(script, O_RDONLY | O_CLOEXEC);
	attempt("script, close-on-exec fd", sfd, "", AT_EMPTY_PATH);
	fcntl(sfd, F_SETFD, 0);
	attempt("script, inheritable fd", sfd, "", AT_EMPTY_PATH);
	unlink(script);
	return 0;
}
