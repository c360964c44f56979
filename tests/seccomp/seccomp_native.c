/*
 * seccomp_native: run a program natively under a seccomp profile, as a container runtime
 * would: kdune's parser compiles the profile, libseccomp loads the same rules into the
 * kernel (native.h), and the program is executed with the filter in force. The
 * integration tests compare its results with `kdune run --seccomp=PROFILE`.
 *
 *   seccomp_native PROFILE.json -- PROGRAM [ARGS...]
 *
 * Exit status: the program's; 125 for a bad profile or a filter the kernel refused, 127
 * when the program cannot be executed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/profile.h"
#include "native.h"

static int load(const char *path)
{
	static char text[4 << 20];
	FILE *f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "seccomp_native: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t n = fread(text, 1, sizeof(text), f);
	fclose(f);
	struct kd_profile_env env;
	struct kd_policy *p;
	char err[512];
	kd_profile_env_here(&env);
	if (kd_profile_parse(text, n, &env, &p, err, sizeof(err))) {
		fprintf(stderr, "seccomp_native: %s: %s\n", path, err);
		return -1;
	}
	int rc = kd_test_load_native(p);
	free(p);
	if (rc)
		fprintf(stderr, "seccomp_native: loading the filter: %s\n", strerror(-rc));
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[2], "--")) {
		fprintf(stderr, "usage: seccomp_native PROFILE.json -- PROGRAM [ARGS...]\n");
		return 125;
	}
	if (load(argv[1]))
		return 125;
	execvp(argv[3], argv + 3);
	fprintf(stderr, "seccomp_native: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
